import triton
import triton.language as tl


@triton.jit
def tabs_kernel(x_ptr,
			y_ptr, n,
        BLOCK: tl.constexpr):
	offs = tl.program_id(0) * BLOCK + \
		tl.arange(0, BLOCK)
	if n > 0: x = tl.load(x_ptr + offs, mask=offs < n); y = x + 1
	else:
		  y = tl.zeros((BLOCK,), dtype=tl.float32)
	for i in range(
  n
        ):
		
		y += i
	tl.store(y_ptr + offs,
		     y,
 mask=offs < n)  # comment


		# odd comment

