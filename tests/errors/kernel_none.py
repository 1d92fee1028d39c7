# A file without any @triton.jit function.
import triton
import triton.language as tl


def host(x):
    return x

# expect: error: no @triton.jit function in this file
# hint: decorate the kernel with @triton.jit (after `import triton`)
