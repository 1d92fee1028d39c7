"""RoPE (spec/kernels.md §3): rotary position embedding of q and k in place, Hugging Face's
"rotate_half" layout (element i pairs with element i + D/2). Per token and head, with
x1 = x[:D/2], x2 = x[D/2:], c = cos[:D/2], s = sin[:D/2] (only the first half of a cos/sin
row is read):
  forward   y1 = x1*c - x2*s,  y2 = x2*c + x1*s
  backward  dx1 = dy1*c + dy2*s,  dx2 = dy2*c - dy1*s   (the rotation by -theta)
An odd D leaves its last element untouched.

Host side: kernels/rope.c. One program per (batch, seq) position (grid B*S) rotates every
head of q and then of k: [BLOCK_H, PAD_HALF] tiles (heads x half the head dim), BLOCK_H heads
at a time, so a tile stays about 2048 elements whatever the head count. The tensors come with
their own strides (batch, head, seq; the last dim has stride 1), so both (B, H, S, D) compact
and Hugging Face's transposed views of a (B, S, H, D) buffer work without a copy. cos/sin
have a batch stride of 0 when their batch is 1. EVEN (heads a multiple of BLOCK_H, D/2 a
power of two) drops every mask, which keeps the accesses 128-bit vectors.

Rounding points (Liger's): q/k elements are converted to cos's dtype, the products and the
sum are in that dtype, the result is rounded to q/k's dtype at its store.
Every element is read before it is written, by the same program: the rotation is in place.
Standard Triton: runs unchanged under Triton 3.6."""
import triton
import triton.language as tl


@triton.jit
def _rotate_heads(X, sb, sh, ss, b, s, c, sn, d, N_H: tl.constexpr, BLOCK_H: tl.constexpr, HD: tl.constexpr,
                  EVEN: tl.constexpr, BACKWARD: tl.constexpr):
    CT: tl.constexpr = c.dtype
    X += b * sb + s * ss
    for h0 in range(0, N_H, BLOCK_H):
        h = (h0 + tl.arange(0, BLOCK_H)).to(tl.int64)
        p1 = X + h[:, None] * sh + d[None, :]
        p2 = p1 + HD // 2
        if EVEN:
            x1 = tl.load(p1).to(CT)
            x2 = tl.load(p2).to(CT)
        else:
            ok = (h < N_H)[:, None] & (d < HD // 2)[None, :]
            x1 = tl.load(p1, mask=ok, other=0.0).to(CT)
            x2 = tl.load(p2, mask=ok, other=0.0).to(CT)
        if BACKWARD:
            y1 = x1 * c[None, :] + x2 * sn[None, :]
            y2 = x2 * c[None, :] - x1 * sn[None, :]
        else:
            y1 = x1 * c[None, :] - x2 * sn[None, :]
            y2 = x2 * c[None, :] + x1 * sn[None, :]
        if EVEN:
            tl.store(p1, y1)
            tl.store(p2, y2)
        else:
            tl.store(p1, y1, mask=ok)
            tl.store(p2, y2, mask=ok)


@triton.jit
def rope_rotate(Q, q_sb, q_sh, q_ss, K, k_sb, k_sh, k_ss, COS, cos_sb, cos_ss, SIN, sin_sb, sin_ss, seq_len,
                N_QH: tl.constexpr, N_KH: tl.constexpr, HD: tl.constexpr, PAD_HALF: tl.constexpr,
                BLOCK_QH: tl.constexpr, BLOCK_KH: tl.constexpr, Q_EVEN: tl.constexpr, K_EVEN: tl.constexpr,
                BACKWARD: tl.constexpr):
    pid = tl.program_id(0).to(tl.int64)
    b = pid // seq_len
    s = pid % seq_len
    d = tl.arange(0, PAD_HALF)
    if Q_EVEN:
        c = tl.load(COS + b * cos_sb + s * cos_ss + d)
        sn = tl.load(SIN + b * sin_sb + s * sin_ss + d)
    else:
        c = tl.load(COS + b * cos_sb + s * cos_ss + d, mask=d < HD // 2, other=0.0)
        sn = tl.load(SIN + b * sin_sb + s * sin_ss + d, mask=d < HD // 2, other=0.0)
    _rotate_heads(Q, q_sb, q_sh, q_ss, b, s, c, sn, d, N_QH, BLOCK_QH, HD, Q_EVEN, BACKWARD)
    _rotate_heads(K, k_sb, k_sh, k_ss, b, s, c, sn, d, N_KH, BLOCK_KH, HD, K_EVEN, BACKWARD)
