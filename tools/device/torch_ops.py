#!/usr/bin/env python3
"""torch_ops.py — every op of include/liger/ops.h against PyTorch eager, in one run on a GPU.

What the GPU machine runs (tools/device/run-gpu.sh) to answer three questions at once:
  1. checks   Is every op right? Each op's forward and backward (ours, through ctypes over
              DLPack, libliger-jit.so) against a PyTorch reference written from
              spec/kernels.md (fp64 math, rounded where the kernels round), at small odd
              shapes and the anchors.md shapes; a tolerance pair (atol, rtol) per dtype sits
              next to each op, none looser than kernels.md's. PASS/FAIL per case.
  2. triton   Do our kernels/<op>.py run unchanged under real Triton? Each file is imported
              as it is and its kernels launched with the constexprs, num_warps, grids and
              scratch of the host op (kernels/<op>.c, mirrored in TritonImpl below), then
              checked by the same checks as ours. ok / mismatch / triton error per kernel.
  3. bench    How fast, against torch eager? Forward and forward+backward medians at the
              anchors.md shapes and a sweep around them: ours, torch, and (at the anchors
              shapes) our kernels under Triton; GB/s of the minimal bytes (anchors.md
              "Reading the table", the same passes as tools/liger-bench-ops.c), % of the copy
              bandwidth measured in the same run, ours/torch, and peak extra memory.

  python3 tools/device/torch_ops.py --lib .dev/lib/libliger-jit.so --json out.json --csv out.csv
      [--quick] [--ops rms_norm,cross_entropy] [--no-check] [--no-triton] [--no-bench]
      [--flush-l2] [--device cuda:0]
  python3 tools/device/torch_ops.py --list       the cases and benchmark shapes (no torch)
  python3 tools/device/torch_ops.py --dry-run    --list, plus the ctypes declarations against
                                                 include/liger/ops.h and, when the library
                                                 loads, a CPU-context smoke call of every op

Adding an op: its ctypes declaration in API, a cases function, a check function, a bench
function, a TritonImpl method, and one Op(...) line in OPS (at the bottom). Exit status: 0 when
everything passed, 1 when a check or a Triton kernel failed, 2 when the run could not start.
"""
import argparse
import ctypes
import importlib.util
import json
import math
import os
import re
import statistics
import sys
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = time.time()

# ---- ctypes: DLPack (dlpack.h v0.6, DLPACK_VERSION 60, as vendored by libdlpack-dev) ------------

K_DL_CPU, K_DL_CUDA = 1, 2


class DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int), ("device_id", ctypes.c_int)]


class DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class DLTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device", DLDevice), ("ndim", ctypes.c_int), ("dtype", DLDataType),
                ("shape", ctypes.POINTER(ctypes.c_int64)), ("strides", ctypes.POINTER(ctypes.c_int64)),
                ("byte_offset", ctypes.c_uint64)]


class CeOptions(ctypes.Structure):  # liger_ce_options
    _fields_ = [("ignore_index", ctypes.c_int64), ("label_smoothing", ctypes.c_float),
                ("lse_square_scale", ctypes.c_float), ("softcap", ctypes.c_float), ("reduction", ctypes.c_int),
                ("grad", ctypes.c_int), ("check_targets", ctypes.c_int)]


def ce_options(ignore_index=-100, label_smoothing=0.0, lse_square_scale=0.0, softcap=0.0, reduction=2, grad=1,
               check_targets=0):
    """LIGER_CE_OPTIONS_INIT with overrides (a zeroed struct would ignore class 0)."""
    return CeOptions(ignore_index, label_smoothing, lse_square_scale, softcap, reduction, grad, check_targets)


# DLPack (code, bits) of a dtype name
DL_CODES = {"float32": (2, 32), "bfloat16": (4, 16), "float16": (2, 16), "float64": (2, 64), "int64": (0, 64),
            "int32": (0, 32)}

# ---- the library's functions, argument by argument (checked against ops.h by --dry-run) --------

CTX, STREAM, TEN = ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(DLTensor)
F32, I32, I64 = ctypes.c_float, ctypes.c_int, ctypes.c_int64  # enums and int flags are C ints
OPTS = ctypes.POINTER(CeOptions)
SIZEP = ctypes.POINTER(ctypes.c_size_t)
API = {
    "liger_ops_scratch": [CTX, SIZEP, I32],
    "liger_rms_norm_forward": [CTX, STREAM, TEN, TEN, TEN, TEN, F32, F32, I32],
    "liger_rms_norm_backward": [CTX, STREAM, TEN, TEN, TEN, TEN, TEN, TEN, F32, I32],
    "liger_layer_norm_forward": [CTX, STREAM, TEN, TEN, TEN, TEN, TEN, TEN, F32],
    "liger_layer_norm_backward": [CTX, STREAM, TEN, TEN, TEN, TEN, TEN, TEN, TEN, TEN, TEN],
    "liger_swiglu_forward": [CTX, STREAM, TEN, TEN, TEN],
    "liger_swiglu_backward": [CTX, STREAM, TEN, TEN, TEN, TEN, TEN],
    "liger_geglu_forward": [CTX, STREAM, TEN, TEN, TEN],
    "liger_geglu_backward": [CTX, STREAM, TEN, TEN, TEN, TEN, TEN],
    "liger_softmax_forward": [CTX, STREAM, TEN, TEN],
    "liger_softmax_backward": [CTX, STREAM, TEN, TEN, TEN],
    "liger_sparsemax_forward": [CTX, STREAM, TEN, TEN],
    "liger_sparsemax_backward": [CTX, STREAM, TEN, TEN, TEN],
    "liger_cross_entropy_forward": [CTX, STREAM, TEN, TEN, TEN, TEN, TEN, OPTS],
    "liger_cross_entropy_backward": [CTX, STREAM, TEN, TEN],
    "liger_kl_div_forward": [CTX, STREAM, TEN, TEN, TEN, I32, I32, F32],
    "liger_kl_div_backward": [CTX, STREAM, TEN, TEN, TEN, I32, I32],
    "liger_jsd_forward": [CTX, STREAM, TEN, TEN, TEN, TEN, TEN, F32, I64],
    "liger_jsd_backward": [CTX, STREAM, TEN, TEN],
    "liger_rope_forward": [CTX, STREAM, TEN, TEN, TEN, TEN],
    "liger_rope_backward": [CTX, STREAM, TEN, TEN, TEN, TEN],
    "liger_embedding_forward": [CTX, STREAM, TEN, TEN, TEN, I64],
    "liger_embedding_backward": [CTX, STREAM, TEN, TEN, TEN, I64, I32],
}
RMS_LLAMA, RMS_GEMMA, RMS_NONE = 0, 1, -1
CE_NONE, CE_SUM, CE_MEAN = 0, 1, 2
KL_NONE, KL_SUM, KL_MEAN, KL_BATCHMEAN = 0, 1, 2, 3


def find_first(paths):
    for p in paths:
        if p and os.path.exists(p):
            return p
    return None


def header_path():
    return find_first([os.path.join(os.getcwd(), "include/liger/ops.h"), os.path.join(HERE, "ops.h"),
                       os.path.join(HERE, "../../include/liger/ops.h")])


def kernels_dir():
    for d in [os.path.join(os.getcwd(), "kernels"), os.path.join(HERE, "kernels"), os.path.join(HERE, "../../kernels")]:
        if os.path.exists(os.path.join(d, "rms_norm.py")):
            return os.path.abspath(d)
    return None


def parse_header(path):
    """{name: [ctypes type per parameter]} of every LIGER_API function in ops.h that returns a
    liger_status; a parameter type we cannot map becomes the string of its C type."""
    text = open(path).read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    enums = set(re.findall(r"typedef\s+enum\s+\w*\s*\{[^}]*\}\s*(\w+)\s*;", text, flags=re.S))
    out = {}
    for name, params in re.findall(r"LIGER_API\s+liger_status\s+(liger_\w+)\s*\(([^)]*)\)\s*;", text, flags=re.S):
        types = []
        for p in params.split(","):
            p = " ".join(p.split())
            ctype = re.sub(r"\s*\b\w+$", "", p) if re.search(r"\w\s*$", p) and ("*" in p or " " in p) else p
            ctype = ctype.replace("const ", "").replace(" *", "*").strip()
            mapped = {"liger_context*": CTX, "void*": STREAM, "DLTensor*": TEN, "float": F32, "int": I32,
                      "int64_t": I64, "liger_ce_options*": OPTS, "size_t*": SIZEP}.get(ctype)
            if mapped is None and ctype in enums:
                mapped = I32
            types.append(mapped if mapped is not None else ctype)
        out[name] = types
    return out


def check_api_against_header(path, verbose=True):
    """Problems between API and the header (a list of strings; empty when they agree)."""
    decl = parse_header(path)
    problems = []
    tname = lambda t: t if isinstance(t, str) else getattr(t, "__name__", str(t))
    for name, types in API.items():
        if name not in decl:
            problems.append(f"{name}: declared here but not in {path}")
        elif decl[name] != types:
            problems.append(f"{name}: ops.h has ({', '.join(map(tname, decl[name]))}), "
                            f"torch_ops.py has ({', '.join(map(tname, types))})")
    missing = sorted(n for n in decl if n not in API)
    if verbose:
        print(f"ops.h ({path}): {len(decl)} functions, {len(API)} declared here"
              + (f"; not covered by torch_ops.py yet: {', '.join(missing)}" if missing else ""))
    return problems, missing


# ---- the library ------------------------------------------------------------------------------


class LigerError(RuntimeError):
    pass


class HostBuf:
    """A CPU tensor made of a ctypes array (the --dry-run smoke test has no torch)."""

    def __init__(self, shape, values=None, dtype="float32"):
        self.shape, self.dtype = tuple(shape), dtype
        n = 1
        for s in self.shape:
            n *= s
        ctype = {"float32": ctypes.c_float, "int64": ctypes.c_int64, "int32": ctypes.c_int32}[dtype]
        self.arr = (ctype * max(n, 1))(*(values or []))

    def tolist(self):
        return list(self.arr)


def to_dltensor(t):
    """(DLTensor, keep-alive) for a torch tensor or a HostBuf; the shape and strides arrays
    must outlive the call, so the caller keeps the second value."""
    if isinstance(t, HostBuf):
        shape, strides, ptr, dtype, dev = t.shape, None, ctypes.addressof(t.arr), t.dtype, (K_DL_CPU, 0)
    else:
        shape, strides, ptr = tuple(t.shape), tuple(t.stride()), t.data_ptr()
        dtype = str(t.dtype).replace("torch.", "")
        dev = (K_DL_CUDA, t.device.index or 0) if t.is_cuda else (K_DL_CPU, 0)
    code, bits = DL_CODES[dtype]
    nd = len(shape)
    shp = (ctypes.c_int64 * max(nd, 1))(*shape)
    std = (ctypes.c_int64 * max(nd, 1))(*strides) if strides is not None else None
    d = DLTensor()
    d.data = ptr
    d.device = DLDevice(dev[0], dev[1])
    d.ndim = nd
    d.dtype = DLDataType(code, bits, 1)
    d.shape = ctypes.cast(shp, ctypes.POINTER(ctypes.c_int64))
    d.strides = ctypes.cast(std, ctypes.POINTER(ctypes.c_int64)) if std is not None else None
    d.byte_offset = 0
    return d, (shp, std, t)


class Lib:
    """libliger-jit.so through ctypes: one context, ops called like the C API without the
    context and stream (those come from here: the context's device, torch's current stream)."""

    def __init__(self, path, device):
        self.path = path
        self.dll = ctypes.CDLL(path)
        d = self.dll
        d.liger_last_error.restype = ctypes.c_char_p
        d.liger_last_error.argtypes = []
        d.liger_status_name.restype = ctypes.c_char_p
        d.liger_status_name.argtypes = [ctypes.c_int]
        d.liger_version.restype = ctypes.c_char_p
        d.liger_version.argtypes = []
        d.liger_context_create.restype = ctypes.c_int
        d.liger_context_create.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        d.liger_context_destroy.restype = None
        d.liger_context_destroy.argtypes = [ctypes.c_void_p]
        d.liger_context_device.restype = ctypes.c_char_p
        d.liger_context_device.argtypes = [ctypes.c_void_p]
        d.liger_synchronize.restype = ctypes.c_int
        d.liger_synchronize.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        self.fns = {}
        for name, types in API.items():
            fn = getattr(d, name, None)
            if fn is None:
                continue  # an older library: the op's cases report it
            fn.restype = ctypes.c_int
            fn.argtypes = types
            self.fns[name] = fn
        self.device = device
        self.ctx = self.new_context(device)
        self.version = d.liger_version().decode()
        self.desc = d.liger_context_device(self.ctx).decode()

    def new_context(self, device):
        ctx = ctypes.c_void_p()
        st = self.dll.liger_context_create(device.encode(), ctypes.byref(ctx))
        if st:
            raise LigerError(f"liger_context_create({device!r}): {self.err(st)}")
        return ctx

    def destroy_context(self, ctx):
        self.dll.liger_context_destroy(ctx)

    def err(self, st):
        return f"{self.dll.liger_status_name(st).decode()}: {self.dll.liger_last_error().decode()}"

    def stream(self):
        if self.device == "cpu":
            return None
        import torch
        return ctypes.c_void_p(torch.cuda.current_stream().cuda_stream or None)

    def bind(self, name, *args, ctx=None):
        """A closure that calls `name` with these arguments, converted once (the benchmark
        loop then pays only for the call itself)."""
        fn = self.fns.get(name)
        if fn is None:
            raise LigerError(f"{name} is not in {self.path} (an older build?)")
        types = API[name][2:]
        if len(args) != len(types):
            raise TypeError(f"{name} takes {len(types)} arguments after the stream, got {len(args)}")
        conv, keep = [], []
        for a, ty in zip(args, types):
            if ty is TEN:
                if a is None:
                    conv.append(None)
                else:
                    d, k = to_dltensor(a)
                    keep.append((d, k))
                    conv.append(ctypes.byref(d))
            elif ty is OPTS:
                conv.append(ctypes.byref(a) if a is not None else None)
                keep.append(a)
            elif ty is F32:
                conv.append(ctypes.c_float(float(a)))
            else:
                conv.append(ty(int(a)))
        context, stream = ctx if ctx is not None else self.ctx, self.stream()

        def call():
            st = fn(context, stream, *conv)
            if st:
                raise LigerError(f"{name}: {self.err(st)}")
            return keep  # (keeps the converted arguments alive as long as the closure)

        return call

    def call(self, name, *args):
        self.bind(name, *args)()

    def __getattr__(self, attr):  # impl.rms_norm_forward(...) -> liger_rms_norm_forward
        if attr.startswith("_") or "liger_" + attr not in API:
            raise AttributeError(attr)
        return lambda *args: self.call("liger_" + attr, *args)


# ---- launch plans of the host ops (kernels/op.c and each kernels/<op>.c), for TritonImpl ------


def np2(v):
    p = 1
    while p < v:
        p <<= 1
    return p


def cdiv(a, b):
    return (a + b - 1) // b


def op_num_warps(elems):  # op.c: op_num_warps (CUDA)
    return 32 if elems >= 32768 else 16 if elems >= 8192 else 8 if elems >= 2048 else 4


class Plan:
    pass


def plan_rows(rows, cols, backward, sms, sums=False):
    """op.c: op_plan_rows without LIGER_OPS_CONFIG. backward: OP_PLAN_BWD; with sums too:
    OP_PLAN_BWD_SUMS (the RMSNorm/LayerNorm backwards: looped past 16384 columns, 4 warps for
    tiles up to 4096 elements, a persistent grid; op.c sizes it from the kernel's occupancy,
    here from a fixed 4 programs per SM, which only changes how the rows are shared out)."""
    p = Plan()
    n2 = np2(cols)
    p.looped = n2 > (16384 if sums else 65536)
    if p.looped:
        p.block_m, p.block_n = 1, 8192
    else:
        p.block_n = n2
        bm = 4096 // n2 if n2 < 4096 else 1
        while bm > 1 and cdiv(rows, bm) < 4 * sms:
            bm >>= 1
        p.block_m = min(bm, np2(max(rows, 1)))
    elems = p.block_m * p.block_n
    if sums and not p.looped and elems <= 4096:
        p.num_warps = 4
    else:
        p.num_warps = op_num_warps(elems * (2 if backward else 1))
    p.prefetch = elems <= 8192
    if p.looped:
        per_sm = max(1, min(8, 32 // p.num_warps))
        p.programs = max(min(min(cdiv(sms * per_sm, cdiv(cols, p.block_n)), 65535), rows), 1)
    else:
        p.programs = max(min(sms * 4, cdiv(rows, p.block_m)), 1)
    return p


def chunk_plan(cols):  # kl_div.c: kl_plan, jsd.c: jsd_plan (chunk 4096, 16 elements a thread)
    b = min(np2(cols), 4096)
    w = 16
    while w > 1 and w * 32 * 16 > b:
        w >>= 1
    return b, w


def ce_plan(cols, smoothing):  # cross_entropy.c: ce_plan
    b = min(8192 if smoothing else 16384, np2(cols))
    w = 32
    while w > 1 and w * 32 * 16 > b:
        w >>= 1
    return b, w


def rowview(t):
    """op.c: op_rows for the tensors these cases make: (rows, cols, row stride)."""
    cols = t.shape[-1] if t.dim() else 1
    rows = t.numel() // cols if cols else 0
    stride = cols
    for d in range(t.dim() - 2, -1, -1):
        if t.shape[d] != 1:
            stride = t.stride(d)
            break
    return rows, cols, stride


class TritonFailure(RuntimeError):
    def __init__(self, kernel, msg):
        super().__init__(f"{kernel}: {msg}")
        self.kernel = kernel


class TritonImpl:
    """Our kernels/<op>.py under real Triton, launched as the host ops launch them (same
    kernels, argument order, constexprs, num_warps, grids; scratch from torch)."""

    def __init__(self, kdir, sms):
        import torch
        import triton  # noqa: F401 (fails here when Triton is missing)
        self.torch, self.kdir, self.sms = torch, kdir, sms
        self.mods, self.launched = {}, []

    def _mod(self, file):
        if file not in self.mods:
            path = os.path.join(self.kdir, file)
            spec = importlib.util.spec_from_file_location("liger_kernels_" + file[:-3], path)
            m = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = m
            spec.loader.exec_module(m)
            self.mods[file] = m
        return self.mods[file]

    def _launch(self, file, name, grid, args, consts, warps):
        key = file[:-3] + "." + name
        self.launched.append(key)
        try:
            getattr(self._mod(file), name)[grid](*args, **consts, num_warps=warps)
        except Exception as e:  # compile errors, unsupported features, launch failures
            msg = " ".join(f"{type(e).__name__}: {e}".split())
            raise TritonFailure(key, msg[:600]) from e

    def _f32(self, n=64, zero=False):
        t = self.torch
        return (t.zeros if zero else t.empty)(max(n, 1), dtype=t.float32, device="cuda")

    def _sum_rows(self, out, parts, nparts, cols):  # op.c: op_sum_partials
        self._launch("sum_rows.py", "sum_rows", (cdiv(cols, 32),), [out, parts, nparts, cols],
                     dict(BLOCK_P=64, BLOCK_N=32), 4)

    # RMSNorm (rms_norm.c)
    def rms_norm_forward(self, x, w, y, rstd, eps, offset, mode):
        R, N, xs = rowview(x)
        ys = rowview(y)[2]
        if R == 0:
            return
        p = plan_rows(R, N, False, self.sms)
        wp = w if w is not None else x
        k = dict(MODE=mode, HAS_W=w is not None, BLOCK_N=p.block_n)
        if p.looped:
            self._launch("rms_norm.py", "rms_norm_fwd_looped", (R,), [y, ys, x, xs, wp, rstd, N, eps, offset], k,
                         p.num_warps)
        else:
            k["BLOCK_M"] = p.block_m
            self._launch("rms_norm.py", "rms_norm_fwd", (cdiv(R, p.block_m),),
                         [y, ys, x, xs, wp, rstd, R, N, eps, offset], k, p.num_warps)

    def rms_norm_backward(self, dy, x, w, rstd, dx, dw, offset, mode):
        R, N, xs = rowview(x)
        dys, dxs = rowview(dy)[2], rowview(dx)[2]
        has_w = w is not None
        if R == 0:
            if has_w:
                self._sum_rows(dw, self._f32(1), 0, N)
            return
        p = plan_rows(R, N, True, self.sms, sums=True)
        parts = self._f32(p.programs * N) if has_w else self._f32(1)
        wp = w if has_w else x
        k = dict(MODE=mode, HAS_W=has_w, BLOCK_N=p.block_n)
        if not p.looped:
            k.update(BLOCK_M=p.block_m, PREFETCH=p.prefetch)
            self._launch("rms_norm.py", "rms_norm_bwd", (p.programs,),
                         [dx, dxs, dy, dys, x, xs, wp, rstd, parts, R, N, offset], k, p.num_warps)
        else:
            s = self._f32(R)
            self._launch("rms_norm.py", "rms_norm_bwd_rowsum", (R,), [s, dy, dys, x, xs, wp, rstd, N, offset],
                         dict(HAS_W=has_w, BLOCK_N=p.block_n), p.num_warps)
            self._launch("rms_norm.py", "rms_norm_bwd_looped", (cdiv(N, p.block_n), p.programs),
                         [dx, dxs, dy, dys, x, xs, wp, rstd, s, parts, R, N, offset], k, p.num_warps)
        if has_w:
            self._sum_rows(dw, parts, p.programs, N)

    # LayerNorm (layer_norm.c)
    def layer_norm_forward(self, x, w, b, y, mean, rstd, eps):
        R, N, xs = rowview(x)
        ys = rowview(y)[2]
        if R == 0:
            return
        p = plan_rows(R, N, False, self.sms)
        wp, bp = (w if w is not None else x), (b if b is not None else x)
        k = dict(HAS_W=w is not None, HAS_B=b is not None, BLOCK_N=p.block_n)
        if p.looped:
            self._launch("layer_norm.py", "layer_norm_fwd_looped", (R,), [y, ys, x, xs, wp, bp, mean, rstd, N, eps],
                         k, p.num_warps)
        else:
            k["BLOCK_M"] = p.block_m
            self._launch("layer_norm.py", "layer_norm_fwd", (cdiv(R, p.block_m),),
                         [y, ys, x, xs, wp, bp, mean, rstd, R, N, eps], k, p.num_warps)

    def layer_norm_backward(self, dy, x, w, b, mean, rstd, dx, dw, db):
        R, N, xs = rowview(x)
        dys, dxs = rowview(dy)[2], rowview(dx)[2]
        has_w, has_b = w is not None, b is not None
        if R == 0:
            for g, has in ((dw, has_w), (db, has_b)):
                if has:
                    self._sum_rows(g, self._f32(1), 0, N)
            return
        p = plan_rows(R, N, True, self.sms, sums=True)
        dwp = self._f32(p.programs * N) if has_w else self._f32(1)
        dbp = self._f32(p.programs * N) if has_b else self._f32(1)
        wp = w if has_w else x
        k = dict(HAS_W=has_w, HAS_B=has_b, BLOCK_N=p.block_n)
        if not p.looped:
            k.update(BLOCK_M=p.block_m, PREFETCH=p.prefetch)
            self._launch("layer_norm.py", "layer_norm_bwd", (p.programs,),
                         [dx, dxs, dy, dys, x, xs, wp, mean, rstd, dwp, dbp, R, N], k, p.num_warps)
        else:
            c = self._f32(2 * R)
            self._launch("layer_norm.py", "layer_norm_bwd_rowsum", (R,), [c, dy, dys, x, xs, wp, mean, rstd, N],
                         dict(HAS_W=has_w, BLOCK_N=p.block_n), p.num_warps)
            self._launch("layer_norm.py", "layer_norm_bwd_looped", (cdiv(N, p.block_n), p.programs),
                         [dx, dxs, dy, dys, x, xs, wp, mean, rstd, c, dwp, dbp, R, N], k, p.num_warps)
        if has_w:
            self._sum_rows(dw, dwp, p.programs, N)
        if has_b:
            self._sum_rows(db, dbp, p.programs, N)

    # SwiGLU / GeGLU (glu.c)
    def _glu_plan(self, ts):
        views = [rowview(t) for t in ts]
        R, N, _ = views[0]
        flat = all(r <= 1 or s == c for r, c, s in views)
        if flat:
            return True, (cdiv(R * N, 4096),), dict(BLOCK=4096), views
        bn = min(np2(N), 4096)
        bm = min(4096 // bn, np2(R))
        return False, (cdiv(N, bn), min(cdiv(R, bm), 65535)), dict(BLOCK_M=bm, BLOCK_N=bn), views

    def _glu_forward(self, act, a, b, c):
        if a.numel() == 0:
            return
        flat, grid, k, v = self._glu_plan([a, b, c])
        k["ACT"] = act
        R, N = v[0][0], v[0][1]
        if flat:
            self._launch("glu.py", "glu_fwd_flat", grid, [c, a, b, R * N], k, 8)
        else:
            self._launch("glu.py", "glu_fwd_rows", grid, [c, v[2][2], a, v[0][2], b, v[1][2], R, N], k, 8)

    def _glu_backward(self, act, dc, a, b, da, db):
        if a.numel() == 0:
            return
        flat, grid, k, v = self._glu_plan([a, b, dc, da, db])
        k["ACT"] = act
        R, N = v[0][0], v[0][1]
        if flat:
            self._launch("glu.py", "glu_bwd_flat", grid, [da, db, dc, a, b, R * N], k, 8)
        else:
            self._launch("glu.py", "glu_bwd_rows", grid,
                         [da, v[3][2], db, v[4][2], dc, v[2][2], a, v[0][2], b, v[1][2], R, N], k, 8)

    def swiglu_forward(self, a, b, c):
        self._glu_forward(0, a, b, c)

    def swiglu_backward(self, dc, a, b, da, db):
        self._glu_backward(0, dc, a, b, da, db)

    def geglu_forward(self, a, b, c):
        self._glu_forward(1, a, b, c)

    def geglu_backward(self, dc, a, b, da, db):
        self._glu_backward(1, dc, a, b, da, db)

    # Softmax and Sparsemax (rowwise.c: one host side for both)
    def _rowwise_forward(self, prefix, x, y):
        R, N, xs = rowview(x)
        ys = rowview(y)[2]
        if R == 0:
            return
        p = plan_rows(R, N, False, self.sms)
        if p.looped:
            self._launch(prefix + ".py", prefix + "_fwd_looped", (R,), [y, ys, x, xs, N], dict(BLOCK_N=p.block_n),
                         p.num_warps)
        else:
            self._launch(prefix + ".py", prefix + "_fwd", (cdiv(R, p.block_m),), [y, ys, x, xs, R, N],
                         dict(BLOCK_N=p.block_n, BLOCK_M=p.block_m), p.num_warps)

    def _rowwise_backward(self, prefix, dy, y, dx):
        R, N, ys = rowview(y)
        dys, dxs = rowview(dy)[2], rowview(dx)[2]
        if R == 0:
            return
        p = plan_rows(R, N, True, self.sms)
        if p.looped:
            self._launch(prefix + ".py", prefix + "_bwd_looped", (R,), [dx, dxs, dy, dys, y, ys, N],
                         dict(BLOCK_N=p.block_n), p.num_warps)
        else:
            self._launch(prefix + ".py", prefix + "_bwd", (cdiv(R, p.block_m),), [dx, dxs, dy, dys, y, ys, R, N],
                         dict(BLOCK_N=p.block_n, BLOCK_M=p.block_m), p.num_warps)

    def softmax_forward(self, x, y):
        self._rowwise_forward("softmax", x, y)

    def softmax_backward(self, dy, y, dx):
        self._rowwise_backward("softmax", dy, y, dx)

    def rope_backward(self, dq, dk, cos, sin):
        self._rope(dq, dk, cos, sin, True)

    def sparsemax_forward(self, x, y):
        self._rowwise_forward("sparsemax", x, y)

    def sparsemax_backward(self, dy, y, dx):
        self._rowwise_backward("sparsemax", dy, y, dx)

    # Embedding (embedding.c)
    def _emb_tile(self, rows, d):
        bd = min(np2(d), 1024)
        p = plan_rows(rows, bd, False, self.sms)
        k = dict(BLOCK_M=p.block_m, BLOCK_D=bd, EVEN_D=d % bd == 0)
        return (cdiv(rows, p.block_m), cdiv(d, bd)), k, p.num_warps

    def embedding_forward(self, ids, w, out, padding_idx):
        n, (V, D, ws) = ids.numel(), rowview(w)
        if n == 0:
            return
        grid, k, warps = self._emb_tile(n, D)
        self._launch("embedding.py", "embedding_fwd", grid, [out, rowview(out)[2], w, ws, ids, n, V, D, padding_idx],
                     k, warps)

    def embedding_backward(self, ids, dout, dw, padding_idx, accumulate):
        t = self.torch
        n, (V, D, dws) = ids.numel(), rowview(dw)
        if V == 0:
            return
        if not accumulate:
            grid, k, warps = self._emb_tile(V, D)
            self._launch("embedding.py", "embedding_zero", grid, [dw, dws, V, D], k, warps)
        if n == 0:
            return
        direct = dw.dtype == t.float32
        own = t.empty(V, dtype=t.int32, device="cuda")
        cnt = t.empty(V, dtype=t.int32, device="cuda")
        acc = own.view(t.float32) if direct else self._f32(n * D)  # (never read when direct)
        self._launch("embedding.py", "embedding_fill", (cdiv(V, 1024),), [own, cnt, V], dict(BLOCK=1024), 4)
        self._launch("embedding.py", "embedding_count", (cdiv(n, 1024),), [ids, own, cnt, n, V, padding_idx],
                     dict(BLOCK=1024), 4)
        grid, k, warps = self._emb_tile(n, D)
        for phase in range(2 if direct else 3):
            self._launch("embedding.py", "embedding_bwd", grid,
                         [dw, dws, dout, rowview(dout)[2], acc, ids, own, cnt, n, V, D, padding_idx],
                         dict(k, PHASE=phase, ACCUMULATE=bool(accumulate), DIRECT=direct), warps)


# ---- checks -------------------------------------------------------------------------------------

DTYPES = ["float32", "bfloat16", "float16"]


class Case:
    def __init__(self, op, name, triton=False, **p):
        self.op, self.name, self.triton, self.p = op, name, triton, p

    def __getattr__(self, k):
        try:
            return self.__dict__["p"][k]
        except KeyError:
            raise AttributeError(k)


class Checker:
    """The comparisons of one case: got against an fp64 reference, |got - ref| <= atol + rtol |ref|
    (NaN where the reference is NaN passes; inf must match)."""

    def __init__(self):
        self.lines, self.ok = [], True

    def close(self, label, got, ref, tol):
        import torch
        atol, rtol = tol
        if hasattr(atol, "reshape"):  # a per-element atol (slack of fp32 sums)
            atol = atol.double().reshape(-1)
        g = got.detach().double().reshape(-1)
        r = ref.detach().double().reshape(-1)
        if g.numel() != r.numel():
            self.ok = False
            self.lines.append(f"{label}: {g.numel()} values, the reference has {r.numel()}")
            return
        same = (g == r) | (torch.isnan(g) & torch.isnan(r))
        err = (g - r).abs()
        good = same | (err <= atol + rtol * r.abs())
        nbad = int((~good).sum())
        fin = torch.isfinite(err) & ~same
        maxerr = float(err[fin].max()) if bool(fin.any()) else 0.0
        line = f"{label}: max |err| {maxerr:.3g}"
        if nbad:
            i = int((~good).nonzero()[0])
            at = float(atol[i]) if hasattr(atol, "reshape") else atol
            line += (f"; {nbad} of {g.numel()} outside atol {at:g} rtol {rtol:g}, e.g. [{i}] got {float(g[i]):.8g} "
                     f"want {float(r[i]):.8g}")
            self.ok = False
        self.lines.append(line)

    def equal(self, label, got, want):
        import torch
        if not torch.equal(got, want):
            self.ok = False
            n = int((got != want).sum()) if got.shape == want.shape else -1
            self.lines.append(f"{label}: changed ({n} elements differ); must be left as it was")

    def fail(self, msg):
        self.ok = False
        self.lines.append(msg)


class Rng:
    def __init__(self, name):
        import torch
        self.torch = torch
        self.g = torch.Generator(device="cuda")
        self.g.manual_seed(zlib.crc32(name.encode()))

    def randn(self, shape, dtype, scale=1.0, shift=0.0):
        t = self.torch
        return (t.randn(shape, generator=self.g, device="cuda") * scale + shift).to(dtype)

    def rand(self, shape, dtype, lo=0.0, hi=1.0):
        t = self.torch
        return (t.rand(shape, generator=self.g, device="cuda") * (hi - lo) + lo).to(dtype)

    def randint(self, lo, hi, shape, dtype):
        return self.torch.randint(lo, hi, shape, generator=self.g, device="cuda", dtype=dtype)


def tdt(name):
    import torch
    return getattr(torch, name)


def shape_str(s):
    return "x".join(str(v) for v in s)


# RMSNorm (kernels.md §1; docs/ops.md "RMSNorm": the rounding points of each casting mode)
TOL_RMS = {"float32": (1e-4, 1e-6), "bfloat16": (2e-1, 2e-2), "float16": (1e-2, 1e-2)}  # kernels.md; fp16: docs
RMS_MODES = [("llama", RMS_LLAMA), ("gemma", RMS_GEMMA), ("none", RMS_NONE)]


def rms_cases(quick):
    out, i = [], 0
    shapes = [(2, 128, 512), (5, 123, 123), (9, 7, 41), (1, 1000), (2, 70001)]  # the last: the looped form
    picks = {((5, 123, 123), "llama", True), ((9, 7, 41), "gemma", True), ((1, 1000), "none", False),
             ((2, 70001), "llama", True)}
    for si, shape in enumerate(shapes):
        for mname, mode in RMS_MODES:
            for has_w in (True, False):
                for dt in (DTYPES if si == 0 else [DTYPES[i % 3]]):
                    i += 1
                    if mode == RMS_NONE and dt == "float16" and shape[-1] > 4096:
                        dt = "bfloat16"  # fp16 sums of squares overflow at long rows (inf in both)
                    offset = 1.0 if mode == RMS_GEMMA else 0.0
                    out.append(Case("rms_norm", f"{shape_str(shape)} {dt} {mname} {'w' if has_w else 'no-w'} "
                                    f"offset={offset:g}{' in-place' if i % 4 == 0 else ''}",
                                    triton=(shape, mname, has_w) in picks and (si > 0 or dt == "bfloat16"),
                                    shape=shape, dtype=dt, mode=mode, has_w=has_w, offset=offset, inplace=i % 4 == 0))
    out.append(Case("rms_norm", "2x128x512 bfloat16 llama w offset=0.5", shape=(2, 128, 512), dtype="bfloat16",
                    mode=RMS_LLAMA, has_w=True, offset=0.5, inplace=False))
    if not quick:
        out.append(Case("rms_norm", "16384x4096 bfloat16 llama w (anchors)", shape=(16384, 4096), dtype="bfloat16",
                        mode=RMS_LLAMA, has_w=True, offset=0.0, inplace=True))
    return out


def rms_ref_forward(x, w, eps, offset, mode):
    import torch
    dt, n = x.dtype, x.shape[-1]
    xd = x.double()
    if mode == RMS_NONE:
        ss = (x * x).double().sum(-1, keepdim=True).to(dt).double()  # x*x in x's dtype, the sum rounded once
        e = torch.tensor(eps, dtype=torch.float32).to(dt).double()
        rstd = torch.rsqrt(ss / n + e)
        xn = xd * rstd
        wo = (torch.tensor(offset, dtype=torch.float32).to(dt) + w).double() if w is not None else None
    else:
        rstd = torch.rsqrt((xd * xd).mean(-1, keepdim=True) + eps)
        xn = xd * rstd
        if mode == RMS_LLAMA:
            xn = xn.to(dt).double()
        wo = offset + w.double() if w is not None else None
    y = xn * wo if w is not None else xn
    return y, rstd.squeeze(-1)


def rms_ref_backward(dy, x, w, rstd, offset, mode):
    n = x.shape[-1]
    r = rstd.double().reshape(x.shape[:-1] + (1,))
    xhat = x.double() * r
    m = dy.double() * (offset + w.double()) if w is not None else dy.double()
    s = (m * xhat).sum(-1, keepdim=True) / n
    dx = r * (m - xhat * s)
    dw = None
    if w is not None:
        lead = tuple(range(x.dim() - 1))
        if mode == RMS_LLAMA:  # dy * round(xhat), the product rounded to x's dtype
            dw = (dy * xhat.to(x.dtype)).double().sum(lead)
        else:
            dw = (dy.double() * xhat).sum(lead)
    return dx, dw


def rms_check(impl, c, chk):
    import torch
    dt = tdt(c.dtype)
    rng = Rng(c.name)
    n, eps = c.shape[-1], 1e-6
    x = rng.randn(c.shape, dt)
    w = rng.randn((n,), dt, 0.1, 0.0 if c.offset else 1.0) if c.has_w else None
    rows = x.numel() // n
    rstd = torch.empty(c.shape[:-1], dtype=dt if c.mode == RMS_NONE else torch.float32, device="cuda")
    y = torch.empty_like(x)
    impl.rms_norm_forward(x, w, y, rstd, eps, c.offset, c.mode)
    yr, rr = rms_ref_forward(x, w, eps, c.offset, c.mode)
    tol = TOL_RMS[c.dtype]
    chk.close("y", y, yr, tol)
    chk.close("rstd", rstd, rr, TOL_RMS[str(rstd.dtype)[6:]])
    dy = rng.randn(c.shape, dt)
    dxr, dwr = rms_ref_backward(dy, x, w, rstd, c.offset, c.mode)  # from the saved rstd
    dx = dy if c.inplace else torch.empty_like(x)
    dw = torch.empty_like(w) if w is not None else None
    impl.rms_norm_backward(dy, x, w, rstd, dx, dw, c.offset, c.mode)
    chk.close("dx", dx, dxr, tol)
    if w is not None:
        chk.close("dw", dw, dwr, tol)
    assert rows > 0


# LayerNorm (kernels.md §2)
TOL_LN = {"float32": (1e-5, 1e-5), "bfloat16": (2e-2, 2e-2), "float16": (1e-2, 1e-2)}  # kernels.md; fp16: docs


def ln_cases(quick):
    out, i = [], 0
    shapes = [(2, 128, 512), (5, 123, 123), (9, 7, 41), (1, 1000), (2, 70001)]
    for si, shape in enumerate(shapes):
        for wb in ("wb", "w", "-"):
            for dt in (DTYPES if si == 0 else [DTYPES[i % 3]]):
                i += 1
                stats = dt if i % 4 == 0 else "float32"  # Liger keeps mean and rstd in x's dtype
                tri = (shape == (5, 123, 123) and wb == "wb") or (shape == (2, 70001) and wb == "wb")
                out.append(Case("layer_norm", f"{shape_str(shape)} {dt} {wb} stats={stats}"
                                f"{' in-place' if i % 3 == 0 else ''}", triton=tri, shape=shape, dtype=dt,
                                has_w="w" in wb, has_b="b" in wb, stats=stats, inplace=i % 3 == 0))
    if not quick:
        out.append(Case("layer_norm", "16384x4096 bfloat16 wb (anchors)", shape=(16384, 4096), dtype="bfloat16",
                        has_w=True, has_b=True, stats="float32", inplace=False))
    return out


def ln_check(impl, c, chk):
    import torch
    dt = tdt(c.dtype)
    rng = Rng(c.name)
    n, eps = c.shape[-1], 1e-5
    x = rng.randn(c.shape, dt, 1.0, 0.5)
    w = rng.randn((n,), dt, 0.1, 1.0) if c.has_w else None
    b = rng.randn((n,), dt, 0.1) if c.has_b else None
    mean = torch.empty(c.shape[:-1], dtype=tdt(c.stats), device="cuda")
    rstd = torch.empty_like(mean)
    y = torch.empty_like(x)
    impl.layer_norm_forward(x, w, b, y, mean, rstd, eps)
    xd = x.double()
    mr = xd.mean(-1, keepdim=True)
    var = ((xd - mr) ** 2).mean(-1, keepdim=True)
    rr = torch.rsqrt(var + eps)
    yr = (xd - mr) * rr
    if w is not None:
        yr = yr * w.double()
    if b is not None:
        yr = yr + b.double()
    tol = TOL_LN[c.dtype]
    chk.close("y", y, yr, tol)
    chk.close("mean", mean, mr, TOL_LN[c.stats])
    chk.close("rstd", rstd, rr, TOL_LN[c.stats])
    dy = rng.randn(c.shape, dt)
    m, r = mean.double().unsqueeze(-1), rstd.double().unsqueeze(-1)  # from the saved statistics
    xhat = (xd - m) * r
    g = dy.double() * w.double() if w is not None else dy.double()
    c1 = (xhat * g).sum(-1, keepdim=True) / n
    c2 = g.sum(-1, keepdim=True) / n
    dxr = (g - (xhat * c1 + c2)) * r
    lead = tuple(range(x.dim() - 1))
    dwr, dbr = (dy.double() * xhat).sum(lead), dy.double().sum(lead)
    dx = dy if c.inplace else torch.empty_like(x)
    dw = torch.empty_like(w) if w is not None else None
    db = torch.empty_like(b) if b is not None else None
    impl.layer_norm_backward(dy, x, w, b, mean, rstd, dx, dw, db)
    chk.close("dx", dx, dxr, tol)
    if w is not None:
        chk.close("dw", dw, dwr, tol)
    if b is not None:
        chk.close("db", db, dbr, tol)


# SwiGLU, GeGLU (kernels.md §4, §5; rounding points of docs/ops.md "SwiGLU and GeGLU")
TOL_GLU = {"float32": (1e-5, 1e-5), "bfloat16": (1e-2, 1e-2), "float16": (1e-3, 2e-3)}  # kernels.md: 1.0/1e-5, 1e-1/1e-2


def glu_cases(op, quick):
    out, i = [], 0
    for shape in [(2, 8, 8), (9, 7, 41), (2, 128, 512), (4097,), "fused 37x300"]:
        for dt in DTYPES:
            i += 1
            name = f"{shape if isinstance(shape, str) else shape_str(shape)} {dt}{' in-place' if i % 3 == 0 else ''}"
            tri = (shape == (9, 7, 41) and dt == "bfloat16") or (shape == "fused 37x300" and dt == "float32")
            out.append(Case(op, name, triton=tri, shape=shape, dtype=dt, inplace=i % 3 == 0))
    if not quick:
        out.append(Case(op, "16384x14336 bfloat16 (anchors)", shape=(16384, 14336), dtype="bfloat16", inplace=True))
    return out


def gelu_tanh(a):  # fp64 in, fp64 out: 0.5 a (1 + tanh(sqrt(2/pi) (a + 0.044715 a^3)))
    import torch
    return 0.5 * a * (1 + torch.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a ** 3)))


def gelu_tanh_grad(a):
    import torch
    k = math.sqrt(2 / math.pi)
    t = torch.tanh(k * (a + 0.044715 * a ** 3))
    return 0.5 * (1 + t) + 0.5 * a * (1 - t * t) * k * (1 + 3 * 0.044715 * a * a)


def glu_check(op, impl, c, chk):
    import torch
    dt = tdt(c.dtype)
    rng = Rng(op + c.name)
    if c.shape == "fused 37x300":  # a and b: the halves of one gate_up buffer (row views)
        ab = rng.randn((37, 600), dt, 2.0)
        a, b = ab[:, :300], ab[:, 300:]
        shape = (37, 300)
    else:
        shape = c.shape
        a, b = rng.randn(shape, dt, 2.0), rng.randn(shape, dt, 2.0)
    ad, bd = a.double(), b.double()
    act = ad * torch.sigmoid(ad) if op == "swiglu" else gelu_tanh(ad)
    cr = act.to(dt) * b  # act rounded to the dtype, times b in the dtype (one rounding)
    cc = torch.empty(shape, dtype=dt, device="cuda")
    getattr(impl, op + "_forward")(a, b, cc)
    tol = TOL_GLU[c.dtype]
    chk.close("c", cc, cr, tol)
    dc = rng.randn(shape, dt)
    dcd = dc.double()
    if op == "swiglu":  # fp32 throughout
        s = torch.sigmoid(ad)
        dbr = dcd * ad * s
        dar = dcd * (ad * s * (1 - s) + s) * bd
    else:  # db = dc * round(gelu(a)); da = round(dc * b) * gelu'(a)
        dbr = dcd * act.to(dt).double()
        dar = (dc * b).double() * gelu_tanh_grad(ad)
    if c.inplace:
        da, db = a, b
    else:
        da, db = torch.empty_like(cc), torch.empty_like(cc)
    getattr(impl, op + "_backward")(dc, a, b, da, db)
    chk.close("da", da, dar, tol)
    chk.close("db", db, dbr, tol)


# Softmax (kernels.md §9; the backward in y's dtype as Liger computes it, docs/ops.md)
TOL_SMX = {"float32": (1e-6, 1e-5), "bfloat16": (1e-5, 1e-2), "float16": (1e-6, 2e-3)}  # kernels.md: 1e-5/1e-5, 5e-2/5e-2
# dx: the sum rounded to the dtype may land on the other side of a rounding boundary from the
# reference's, which moves dx by y * ulp(sum): bf16 ulp(2..4) = 2^-6, fp16 2^-9
TOL_SMX_BWD = {"float32": (1e-5, 1e-5), "bfloat16": (2e-2, 5e-2), "float16": (2e-3, 1e-2)}


def softmax_cases(quick):
    out, i = [], 0
    shapes = [(2, 8), (4, 16), (1, 1023), (3, 7, 256), (1, 2, 4096), (1000, 24), (3, 70000)]
    for si, shape in enumerate(shapes):
        for dt in (DTYPES if si < 2 else [DTYPES[si % 3]]):
            i += 1
            tri = (shape == (3, 7, 256) or shape == (3, 70000))
            out.append(Case("softmax", f"{shape_str(shape)} {dt}{' in-place' if i % 3 == 0 else ''}", triton=tri,
                            shape=shape, dtype=dt, inplace=i % 3 == 0))
    if not quick:
        out.append(Case("softmax", "16384x4096 bfloat16 (anchors)", shape=(16384, 4096), dtype="bfloat16",
                        inplace=False))
    return out


def softmax_check(impl, c, chk):
    import torch
    dt = tdt(c.dtype)
    rng = Rng(c.name)
    x = rng.randn(c.shape, dt, 3.0)
    yr = torch.softmax(x.double(), -1)
    keep = x.clone()
    y = x if c.inplace else torch.empty_like(x)
    impl.softmax_forward(x, y)
    chk.close("y", y, yr, TOL_SMX[c.dtype])
    if not c.inplace:
        chk.equal("x", x, keep)
    dy = rng.randn(c.shape, dt)
    s = (dy * y).double().sum(-1, keepdim=True).to(dt)  # dy*y and its sum rounded to the dtype
    dxr = y * (dy - s)  # then dy - sum and y * (...) in the dtype
    dx = dy if c.inplace else torch.empty_like(y)
    impl.softmax_backward(dy, y, dx)
    chk.close("dx", dx, dxr, TOL_SMX_BWD[c.dtype])


# CrossEntropy (kernels.md §6; docs/ops.md "CrossEntropy"; tests/test_ops_ce.c's reference)
TOL_CE = {"float32": (1e-8, 1e-6), "bfloat16": (1e-8, 5e-2), "float16": (1e-7, 1e-2)}  # kernels.md; fp16: docs
CE_OPTSETS = [  # Liger's option sets: (name, options, ignore pattern, weights, z_loss out)
    ("defaults", dict(), None, False, False),
    ("ignore=2", dict(ignore_index=2), 3, False, False),
    ("ignore=-100 some", dict(), 4, False, False),
    ("smoothing=0.1", dict(label_smoothing=0.1), None, False, False),
    ("softcap=30", dict(softcap=30.0), None, False, False),
    ("z=1e-4 z_loss", dict(lse_square_scale=1e-4), None, False, True),
    ("weights", dict(), None, True, False),
    ("all", dict(label_smoothing=0.2, lse_square_scale=1e-5, softcap=40.0), 5, True, True),
    ("forward-only", dict(grad=0), None, False, False),
]
CE_REDS = [("none", CE_NONE), ("sum", CE_SUM), ("mean", CE_MEAN)]


def ce_cases(quick):
    out, i = [], 0
    shapes = [(9, 7, 41), (4, 8), (1, 1000), (5, 3001), (7, 50257)]
    for si, shape in enumerate(shapes):
        for oi, (oname, opts, ign, weights, zout) in enumerate(CE_OPTSETS):
            reds = CE_REDS if si == 0 else [CE_REDS[(oi + si) % 3]]
            for rname, red in reds:
                i += 1
                dt = DTYPES[i % 3]
                loss_dt = dt if i % 2 else "float32"
                tri = shape == (5, 3001)  # every option set, each kernel
                out.append(Case("cross_entropy", f"{shape_str(shape)} {dt} {oname} {rname} loss={loss_dt}"
                                f"{' int32' if i % 5 == 0 else ''}", triton=tri, shape=shape, dtype=dt, opts=opts,
                                ignore_every=ign, weights=weights, zout=zout, reduction=red, loss_dtype=loss_dt,
                                int32=i % 5 == 0))
    out.append(Case("cross_entropy", "4x8 float32 every row ignored mean", shape=(4, 8), dtype="float32", opts={},
                    ignore_every=1, weights=False, zout=False, reduction=CE_MEAN, loss_dtype="float32", int32=False))
    if not quick:
        out.append(Case("cross_entropy", "8192x128256 bfloat16 defaults mean (anchors)", shape=(8192, 128256),
                        dtype="bfloat16", opts={}, ignore_every=16, weights=False, zout=False, reduction=CE_MEAN,
                        loss_dtype="float32", int32=False))
    return out


def ce_reference(logits, target, weight, o, reduction):
    """(loss, z, grad of the total) in fp64, from kernels.md §6 (torch autograd for the grad)."""
    import torch
    V = logits.shape[-1]
    x0 = logits.detach().double().reshape(-1, V).requires_grad_()
    x = o["softcap"] * torch.tanh(x0 / o["softcap"]) if o["softcap"] > 0 else x0
    t = target.reshape(-1).long()
    keep = t != o["ignore_index"]
    tc = torch.where(keep, t, torch.zeros_like(t))
    w = weight.double() if weight is not None else torch.ones(V, dtype=torch.float64, device=x.device)
    ls, eps = o["label_smoothing"], o["label_smoothing"] / V
    lse = torch.logsumexp(x, -1)
    wy = w[tc]
    ce = (1 - ls) * wy * (lse - x.gather(1, tc[:, None]).squeeze(1))
    if ls > 0:
        ce = ce + eps * (w[None, :] * (lse[:, None] - x)).sum(-1)
    z = o["lse_square_scale"] * lse * lse
    zero = torch.zeros_like(ce)
    ce, z = torch.where(keep, ce, zero), torch.where(keep, z, zero)
    if reduction == CE_NONE:
        loss, zl = ce + z, z
        total = loss.sum()
    elif reduction == CE_SUM:
        loss, zl = ce.sum() + z.sum(), z.sum()
        total = loss
    else:
        n = int(keep.sum())
        if n == 0:
            loss = zl = total = (ce.sum() + z.sum()) * 0
        else:
            wn = (wy * keep).sum()
            loss, zl = ce.sum() / wn + z.sum() / n, z.sum() / n
            total = loss
    (g,) = torch.autograd.grad(total, x0)
    return loss.detach(), zl.detach(), g.reshape(logits.shape)


def ce_check(impl, c, chk):
    import torch
    dt = tdt(c.dtype)
    rng = Rng(c.name)
    V = c.shape[-1]
    o = dict(ignore_index=-100, label_smoothing=0.0, lse_square_scale=0.0, softcap=0.0, grad=1)
    o.update(c.opts)
    scale = 10.0 if o["softcap"] > 0 else 2.0  # logits beyond the softcap where it is on
    logits = rng.randn(c.shape, dt, scale)
    rows = logits.numel() // V
    target = rng.randint(0, V, c.shape[:-1], torch.int32 if c.int32 else torch.int64)
    if c.ignore_every:
        flat = target.view(-1)
        flat[::c.ignore_every] = o["ignore_index"]
    weight = rng.rand((V,), dt, 0.1, 1.0) if c.weights else None
    lshape = c.shape[:-1] if c.reduction == CE_NONE else ()
    loss = torch.empty(lshape, dtype=tdt(c.loss_dtype), device="cuda")
    z_loss = torch.empty_like(loss) if c.zout else None
    lr, zr, gr = ce_reference(logits, target, weight, o, c.reduction)
    keep = logits.clone()
    impl.cross_entropy_forward(logits, target, weight, loss, z_loss, ce_options(reduction=c.reduction, **o))
    tol = TOL_CE[c.dtype]  # losses and gradients both by the logits' dtype (docs/ops.md)
    chk.close("loss", loss, lr, tol)
    if z_loss is not None:
        chk.close("z_loss", z_loss, zr, tol)
    if not o["grad"]:
        chk.equal("logits (forward only)", logits, keep)
        return
    chk.close("grad (forward)", logits, gr, tol)
    # backward: scale by grad_output in place (one value, or one per row for 'none')
    if c.reduction == CE_NONE:
        go = rng.randn(c.shape[:-1], torch.float32)
        gscale = go.double().unsqueeze(-1)
    else:
        go = torch.full((), 0.5, dtype=torch.float32, device="cuda")
        gscale = 0.5
    before = logits.clone()
    impl.cross_entropy_backward(logits, go)
    chk.close("grad (backward)", logits, before.double() * gscale, tol)
    assert rows > 0


# KL divergence (kernels.md §12)
TOL_KL = {"float32": (1e-8, 1e-6), "bfloat16": (1e-8, 5e-2), "float16": (1e-3, 1e-3)}  # kernels.md
KL_REDS = [("none", KL_NONE), ("sum", KL_SUM), ("mean", KL_MEAN), ("batchmean", KL_BATCHMEAN)]


def kl_cases(quick):
    out, i = [], 0
    for si, shape in enumerate([(9, 7, 41), (4, 8), (1, 1000), (5, 3001), (3, 32000)]):
        for rname, red in KL_REDS:
            for lt in (0, 1):
                for dt in (DTYPES if si == 0 else [DTYPES[i % 3]]):
                    i += 1
                    eps = 1e-3 if i % 7 == 0 else 1e-10
                    loss_dt = dt if i % 3 == 0 else "float32"
                    go = ["value", "one", "null"][i % 3]
                    tri = shape == (5, 3001)  # every reduction and log_target
                    out.append(Case("kl_div", f"{shape_str(shape)} {dt} {rname} log_target={lt} eps={eps:g} "
                                    f"loss={loss_dt} grad_output={go}", triton=tri, shape=shape, dtype=dt,
                                    reduction=red, log_target=lt, eps=eps, loss_dtype=loss_dt, go=go))
    if not quick:
        out.append(Case("kl_div", "4096x128256 float32 batchmean (anchors)", shape=(4096, 128256), dtype="float32",
                        reduction=KL_BATCHMEAN, log_target=0, eps=1e-10, loss_dtype="float32", go="one"))
    return out


def kl_check(impl, c, chk):
    import torch
    dt = tdt(c.dtype)
    rng = Rng(c.name)
    V = c.shape[-1]
    y_pred = torch.log_softmax(rng.randn(c.shape, torch.float32, 2.0), -1).to(dt)
    if c.log_target:
        y_true = torch.log_softmax(rng.randn(c.shape, torch.float32, 2.0), -1).to(dt)
    else:
        y_true = torch.softmax(rng.randn(c.shape, torch.float32, 2.0), -1)
        y_true.view(-1)[::7] = 0  # exact zeros: t log t = 0
        y_true = y_true.to(dt)
    rows = y_pred.numel() // V
    yp, t = y_pred.double(), y_true.double()
    if c.log_target:
        el = torch.exp(t) * (t - yp)
        gel = -torch.exp(t)
    else:
        el = t * (torch.log(torch.clamp(t, min=c.eps)) - yp)
        gel = -t
    sc = {KL_NONE: 1.0, KL_SUM: 1.0, KL_MEAN: 1.0 / (rows * V), KL_BATCHMEAN: 1.0 / rows}[c.reduction]
    lr = el if c.reduction == KL_NONE else el.sum() * sc
    loss = torch.empty(c.shape if c.reduction == KL_NONE else (), dtype=tdt(c.loss_dtype), device="cuda")
    impl.kl_div_forward(y_pred, y_true, loss, c.reduction, c.log_target, c.eps)
    tol = TOL_KL[c.dtype]  # by y_pred's dtype, also for an fp32 loss (docs/ops.md)
    chk.close("loss", loss, lr, tol)
    if c.go == "null":
        go, g = None, 1.0
    elif c.reduction == KL_NONE:
        go = rng.randn(c.shape, torch.float32) if c.go == "value" else torch.ones(c.shape, device="cuda")
        g = go.double()
    else:
        go = torch.full((), 0.5 if c.go == "value" else 1.0, dtype=torch.float32, device="cuda")
        g = float(go)
    grad = torch.empty_like(y_true)
    impl.kl_div_backward(y_true, go, grad, c.reduction, c.log_target)
    chk.close("grad", grad, gel * g * sc, tol)


# JSD (kernels.md §13)
TOL_JSD = {"float32": (1e-7, 1e-6), "bfloat16": (1e-7, 5e-2), "float16": (1e-3, 1e-3)}  # kernels.md
JSD_LABELS = [("labels=none", None, -100), ("labels=int64 ignore=2", "int64", 2), ("labels=int32 ignore=42", "int32", 42)]


def jsd_cases(quick):
    out, i = [], 0
    for si, shape in enumerate([(9, 7, 41), (4, 8), (1, 1000), (5, 3001), (3, 3200)]):
        for beta in (0.0, 0.1, 0.5, 0.9, 1.0):
            for lname, ldt, ign in JSD_LABELS:
                i += 1
                dt = DTYPES[i % 3]
                loss_dt = dt if i % 2 else "float32"
                go = ["value", "one", "null"][i % 3]
                tri = shape == (5, 3001) and ldt != "int32"
                out.append(Case("jsd", f"{shape_str(shape)} {dt} beta={beta:g} {lname} loss={loss_dt} "
                                f"grad_output={go}", triton=tri, shape=shape, dtype=dt, beta=beta, labels=ldt,
                                ignore_index=ign, loss_dtype=loss_dt, go=go, all_ignored=False))
    out.append(Case("jsd", "4x8 bfloat16 beta=0.5 every row ignored", shape=(4, 8), dtype="bfloat16", beta=0.5,
                    labels="int64", ignore_index=2, loss_dtype="float32", go="value", all_ignored=True))
    if not quick:
        out.append(Case("jsd", "4096x128256 float32 beta=0.5 (anchors)", shape=(4096, 128256), dtype="float32",
                        beta=0.5, labels=None, ignore_index=-100, loss_dtype="float32", go="one", all_ignored=False))
    return out


def jsd_ref(log_q, log_p, labels, beta, ignore_index):
    """(loss, grad) in fp64 per kernels.md §13 (the grad is the exact derivative)."""
    import torch
    V = log_q.shape[-1]
    lq, lp = log_q.double().reshape(-1, V), log_p.double().reshape(-1, V)
    Q, P = torch.exp(lq), torch.exp(lp)
    if beta == 0:
        el, g = P * (lp - lq), -P
    elif beta == 1:
        el = Q * (lq - lp)
        g = el + Q
    else:
        lm = torch.log(beta * P + (1 - beta) * Q)
        el = beta * P * (lp - lm) + (1 - beta) * Q * (lq - lm)
        g = (1 - beta) * Q * (lq - lm)
    if labels is not None:
        keep = (labels.reshape(-1).long() != ignore_index).double()[:, None]
        n = int(keep.sum())
        el, g = el * keep, g * keep
    else:
        n = lq.shape[0]
    s = 1.0 / n if n else 0.0
    return el.sum() * s, (g * s).reshape(log_q.shape)


def jsd_check(impl, c, chk):
    import torch
    dt = tdt(c.dtype)
    rng = Rng(c.name)
    log_q = torch.log_softmax(rng.randn(c.shape, torch.float32, 2.0), -1).to(dt)
    log_p = torch.log_softmax(rng.randn(c.shape, torch.float32, 2.0), -1).to(dt)
    labels = None
    if c.labels:
        labels = rng.randint(0, c.shape[-1], c.shape[:-1], tdt(c.labels))
        flat = labels.view(-1)
        flat[:: (1 if c.all_ignored else 3)] = c.ignore_index
    lr, gr = jsd_ref(log_q, log_p, labels, c.beta, c.ignore_index)
    loss = torch.empty((), dtype=tdt(c.loss_dtype), device="cuda")
    grad = torch.empty_like(log_q)
    impl.jsd_forward(log_q, log_p, labels, loss, grad, c.beta, c.ignore_index)
    tol = TOL_JSD[c.dtype]
    chk.close("loss", loss, lr, tol)
    chk.close("grad (forward)", grad, gr, tol)
    if c.go == "null":
        go, g = None, 1.0
    else:
        go = torch.full((), -0.75 if c.go == "value" else 1.0, dtype=torch.float32, device="cuda")
        g = float(go)
    before = grad.clone()
    impl.jsd_backward(grad, go)
    chk.close("grad (backward)", grad, before.double() * g, tol)


# RoPE (kernels.md §3; docs/ops.md "RoPE": arithmetic in cos's dtype, each product and sum rounded)
TOL_ROPE = {"float32": (1e-5, 1e-5), "bfloat16": (1e-1, 1e-5), "float16": (1e-2, 1e-5)}  # kernels.md


def rope_cases(quick):
    out, i = [], 0
    shapes = [(1, 2, 2, 2, 8), (1, 2, 1, 2, 8), (9, 7, 41, 41, 41), (2, 128, 32, 8, 64), (2, 16, 4, 2, 96),
              (3, 23, 5, 3, 92), (2, 5, 3, 2, 7)]  # (B, S, q heads, k heads, D)
    for shape in shapes:
        for dt in DTYPES:
            i += 1
            layout = ["hf", "compact"][i % 2]
            table = ["1SD", "SD", "BSD"][i % 3]
            cos_dt = "float32" if (dt == "bfloat16" and i % 4 == 0) else dt
            tri = (shape == (2, 128, 32, 8, 64) and dt == "bfloat16") or (shape == (9, 7, 41, 41, 41) and dt == "float32")
            out.append(Case("rope", f"B{shape[0]} S{shape[1]} q{shape[2]} k{shape[3]} D{shape[4]} {dt} cos={cos_dt} "
                            f"{layout} cos {table}", triton=tri, shape=shape, dtype=dt, cos_dtype=cos_dt,
                            layout=layout, table=table))
    if not quick:
        out.append(Case("rope", "B4 S2048 q32 k8 D128 bfloat16 hf (anchors)", shape=(4, 2048, 32, 8, 128),
                        dtype="bfloat16", cos_dtype="bfloat16", layout="hf", table="1SD"))
    return out


def rope_tables(B, S, D, dtype, table):
    """HF's rotary tables (S, D): cat(freqs, freqs) of inv_freq = 10000^(-2i/D); an odd D gets
    one more column that is never read. Shaped (1, S, D), (S, D) or (B, S, D)."""
    import torch
    half = D // 2
    inv = 1.0 / (10000.0 ** (torch.arange(0, half, dtype=torch.float64, device="cuda") * 2 / D))
    f = torch.outer(torch.arange(S, dtype=torch.float64, device="cuda"), inv)
    emb = torch.cat([f, f] + ([f[:, :1] * 0] if D % 2 else []), -1)
    cos, sin = emb.cos().to(dtype), emb.sin().to(dtype)
    if table == "1SD":
        return cos[None], sin[None]
    if table == "BSD":
        return cos[None].expand(B, S, D).contiguous(), sin[None].expand(B, S, D).contiguous()
    return cos, sin


def rope_heads(rng, B, S, H, D, dtype, layout):
    if layout == "hf":  # the (B, H, S, D) view of a (B, S, H, D) projection
        return rng.randn((B, S, H, D), dtype).transpose(1, 2)
    return rng.randn((B, H, S, D), dtype)


def rope_ref(x, cos, sin, backward):
    """x (B, H, S, D) rotated in cos's dtype (each product and sum rounded to it), stored in x's."""
    half = x.shape[-1] // 2
    ct = cos.dtype
    c = (cos if cos.dim() == 3 else cos[None])[:, None, :, :half]  # (1 or B, 1, S, half)
    s = (sin if sin.dim() == 3 else sin[None])[:, None, :, :half]
    x1, x2 = x[..., :half].to(ct), x[..., half:2 * half].to(ct)
    if backward:
        y1, y2 = x1 * c + x2 * s, x2 * c - x1 * s
    else:
        y1, y2 = x1 * c - x2 * s, x2 * c + x1 * s
    out = x.clone()
    out[..., :half] = y1.to(x.dtype)
    out[..., half:2 * half] = y2.to(x.dtype)
    return out


def rope_check(impl, c, chk):
    rng = Rng(c.name)
    B, S, HQ, HK, D = c.shape
    dt = tdt(c.dtype)
    cos, sin = rope_tables(B, S, D, tdt(c.cos_dtype), c.table)
    q, k = rope_heads(rng, B, S, HQ, D, dt, c.layout), rope_heads(rng, B, S, HK, D, dt, c.layout)
    qr, kr = rope_ref(q, cos, sin, False), rope_ref(k, cos, sin, False)
    impl.rope_forward(q, k, cos, sin)
    loose = c.dtype if c.dtype != "float32" else c.cos_dtype  # the looser of q's and cos's dtype
    tol = TOL_ROPE[loose]
    chk.close("q", q, qr, tol)
    chk.close("k", k, kr, tol)
    dq, dk = rope_heads(rng, B, S, HQ, D, dt, c.layout), rope_heads(rng, B, S, HK, D, dt, c.layout)
    dqr, dkr = rope_ref(dq, cos, sin, True), rope_ref(dk, cos, sin, True)
    impl.rope_backward(dq, dk, cos, sin)
    chk.close("dq", dq, dqr, tol)
    chk.close("dk", dk, dkr, tol)


# Sparsemax (kernels.md §10; docs/ops.md "Sparsemax": fp32 on x - max(x), v rounded to dy's dtype)
TOL_SPM = {"float32": (1e-5, 1e-5), "bfloat16": (1e-5, 8e-3), "float16": (1e-5, 1e-3)}  # kernels.md: fp32 1e-5/1e-5


def sparsemax_cases(quick):
    out, i = [], 0
    shapes = [(2, 128, 512), (5, 123, 123), (4, 16), (1, 1023), (3, 7, 256), (1000, 24), (2, 70000)]
    for si, shape in enumerate(shapes):
        for dt in (DTYPES if si < 2 else [DTYPES[si % 3]]):
            i += 1
            tri = shape == (5, 123, 123) or shape == (2, 70000)
            out.append(Case("sparsemax", f"{shape_str(shape)} {dt}{' in-place' if i % 3 == 0 else ''}"
                            f"{' -inf' if i % 4 == 0 else ''}", triton=tri, shape=shape, dtype=dt,
                            inplace=i % 3 == 0, neg_inf=i % 4 == 0))
    if not quick:
        out.append(Case("sparsemax", "4096x4096 float32 (anchors)", shape=(4096, 4096), dtype="float32",
                        inplace=False, neg_inf=False))
    return out


def sparsemax_ref(x):
    """fp64 sort-based sparsemax over the last dimension (Martins & Astudillo)."""
    import torch
    z = torch.sort(x, -1, descending=True).values
    cs = torch.cumsum(z, -1)
    r = torch.arange(1, x.shape[-1] + 1, dtype=x.dtype, device=x.device)
    support = (1 + r * z) > cs
    k = support.sum(-1, keepdim=True).clamp(min=1)
    tau = (cs.gather(-1, k - 1) - 1) / k
    return torch.clamp(x - tau, min=0)


def sparsemax_check(impl, c, chk):
    import torch
    dt = tdt(c.dtype)
    rng = Rng(c.name)
    x = rng.randn(c.shape, dt, 2.0)
    if c.neg_inf:
        x.view(-1, c.shape[-1])[:, ::5] = float("-inf")  # masked entries get 0
    yr = sparsemax_ref(x.double())
    y = x if c.inplace else torch.empty_like(x)
    impl.sparsemax_forward(x, y)
    tol = TOL_SPM[c.dtype]
    chk.close("y", y, yr, tol)
    if c.dtype == "float32":
        chk.close("row sums", y.double().sum(-1), torch.ones_like(yr.sum(-1)), (1e-4, 0.0))  # kernels.md
    dy = rng.randn(c.shape, dt)
    sup = (y > 0).double()  # the support of the device's y
    v = (dy.double() * sup).sum(-1, keepdim=True) / sup.sum(-1, keepdim=True).clamp(min=1)
    dxr = (dy.double() - v.to(dt).double()) * sup  # v rounded to dy's dtype (Liger's point)
    dx = dy if c.inplace else torch.empty_like(y)
    impl.sparsemax_backward(dy, y, dx)
    chk.close("dx", dx, dxr, tol)


# Embedding (kernels.md §15; docs/ops.md "Embedding": out-of-range ids give zero rows)
TOL_EMB = {"float32": (1e-6, 1e-5), "bfloat16": (0.0, 2 ** -7), "float16": (0.0, 2 ** -10)}  # kernels.md; docs


def embedding_cases(quick):
    out, i = [], 0
    for V, D in [(100, 64), (1000, 128), (100, 60), (1000, 120), (1000, 500), (30522, 768)]:
        for dt in DTYPES:
            i += 1
            pad = [-1, 0, 50, 1][i % 4]
            idt = "int32" if i % 2 else "int64"
            tri = ((V, D) == (1000, 128) and dt == "bfloat16") or ((V, D) == (100, 60) and dt == "float32")
            out.append(Case("embedding", f"V{V} D{D} {dt} ids=320 {idt} padding={pad}", triton=tri, V=V, D=D,
                            dtype=dt, n=320, ids_dtype=idt, padding=pad, ids_shape=(320,)))
    out.append(Case("embedding", "V10 D33 float32 ids=5000 (contention) 2-D ids", V=10, D=33, dtype="float32", n=5000,
                    ids_dtype="int64", padding=-1, ids_shape=(50, 100)))
    if not quick:
        out.append(Case("embedding", "V128256 D4096 bfloat16 ids=8192 int64 (anchors)", V=128256, D=4096,
                        dtype="bfloat16", n=8192, ids_dtype="int64", padding=-1, ids_shape=(8192,)))
    return out


def embedding_check(impl, c, chk):
    import torch
    dt = tdt(c.dtype)
    rng = Rng(c.name)
    V, D, n = c.V, c.D, c.n
    w = rng.randn((V, D), dt)
    ids = rng.randint(0, V, (n,), torch.int64)
    ids[:20] = min(7, V - 1)  # a run of one repeated id
    if c.padding >= 0:
        ids[20:24] = c.padding
    ids[24:28] = torch.tensor([-1, V, V + 3, -7], device="cuda")  # out of range: zero rows, no gradient
    ids = ids.to(tdt(c.ids_dtype)).reshape(c.ids_shape)
    flat = ids.reshape(-1).long()
    valid = (flat >= 0) & (flat < V) & (flat != c.padding)
    out = torch.empty(tuple(c.ids_shape) + (D,), dtype=dt, device="cuda")
    impl.embedding_forward(ids, w, out, c.padding)
    outr = torch.zeros((n, D), dtype=torch.float64, device="cuda")
    outr[valid] = w[flat[valid]].double()
    chk.close("out", out, outr, (0.0, 0.0))  # a copy: exact
    dout = rng.randn(tuple(c.ids_shape) + (D,), dt)
    d2 = dout.reshape(n, D).double()
    g = torch.zeros((V, D), dtype=torch.float64, device="cuda")
    g.index_add_(0, flat[valid], d2[valid])
    absum = torch.zeros_like(g).index_add_(0, flat[valid], d2[valid].abs())
    cnt = torch.zeros(V, dtype=torch.float64, device="cuda").index_add_(0, flat[valid], torch.ones_like(flat[valid], dtype=torch.float64))
    atol, rtol = TOL_EMB[c.dtype]
    slack = atol + cnt[:, None] * 2 ** -24 * absum  # an fp32 sum of k terms in any order
    dw = rng.randn((V, D), dt)  # garbage: accumulate=0 must overwrite it
    impl.embedding_backward(ids, dout, dw, c.padding, 0)
    chk.close("dw", dw, g, (slack, rtol))
    impl.embedding_backward(ids, dout, dw, c.padding, 1)  # accumulate onto the first result
    chk.close("dw (accumulate)", dw, 2 * g, (2 * slack, 2 * rtol))


# ---- benchmark ----------------------------------------------------------------------------------


class Timer:
    """Median ms per call: CUDA events around a batch of calls sized to ~target_ms, >= batches
    batches; flush (a 256 MiB buffer) is written before each batch when given."""

    def __init__(self, target_ms=10.0, batches=20, flush=None):
        self.target_ms, self.batches, self.flush = target_ms, batches, flush

    def __call__(self, fn):
        import torch
        fn()  # compiles, allocates
        torch.cuda.synchronize()
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        for _ in range(3):
            fn()
        e.record()
        e.synchronize()
        per = max(s.elapsed_time(e) / 3, 1e-3)
        n = max(1, min(1000, int(self.target_ms / per)))
        samples = []
        for _ in range(self.batches):
            if self.flush is not None:
                self.flush.zero_()
            s.record()
            for _ in range(n):
                fn()
            e.record()
            e.synchronize()
            samples.append(s.elapsed_time(e) / n)
        return statistics.median(samples)


def held_bytes(ts):
    seen, total = set(), 0
    for t in ts:
        if t is None or not hasattr(t, "untyped_storage"):
            continue
        st = t.untyped_storage()
        if st.data_ptr() not in seen:
            seen.add(st.data_ptr())
            total += st.nbytes()
    return total


def torch_extra_mib(full):
    """torch's peak allocation over one forward+backward, less what it holds at the end (the
    outputs and gradients it returns); the inputs were allocated before."""
    import torch
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    outs = full()
    torch.cuda.synchronize()
    peak = torch.cuda.max_memory_allocated()
    extra = peak - base - held_bytes(outs if isinstance(outs, (list, tuple)) else [outs])
    del outs
    return max(extra, 0) / 2 ** 20


def ours_extra_mib(lib, make_full):
    """The scratch the library holds after the first forward+backward on a new context
    (liger_ops_scratch: the fp32 partial sums and the like); the library allocates outside
    torch's allocator, and holds nothing else per call (its kernel modules are code)."""
    import torch
    ctx = lib.new_context(lib.device)
    held = ctypes.c_size_t(0)
    try:
        full = make_full(ctx)
        full()
        torch.cuda.synchronize()
        if "liger_ops_scratch" in lib.fns:
            lib.fns["liger_ops_scratch"](ctx, ctypes.byref(held), 0)
    finally:
        torch.cuda.synchronize()
        lib.destroy_context(ctx)
    return held.value / 2 ** 20


class Bench:
    """One benchmark row's closures: ours (given a context), torch, Triton; the bytes of a
    forward and of a forward+backward (anchors.md minimal bytes)."""

    def __init__(self, label, dtype, passes, pass_bytes, ours, torch_fwd, torch_full, triton=None, nbytes=None):
        self.label, self.dtype = label, dtype
        self.nbytes = nbytes or (passes[0] * pass_bytes, passes[1] * pass_bytes)  # minimal bytes: fwd, full
        self.ours, self.torch_fwd, self.torch_full, self.triton = ours, torch_fwd, torch_full, triton


def grads(out, ins, gout):
    import torch
    return (out,) + tuple(torch.autograd.grad(out, ins, gout))


def hf_rms_norm(x, w, eps):  # Hugging Face LlamaRMSNorm
    import torch
    h = x.float()
    h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
    return w * h.to(x.dtype)


def rms_bench(shape, lib, tri):
    import torch
    M, N = shape
    rng = Rng("bench rms")
    x, w, dy = rng.randn(shape, torch.bfloat16), rng.randn((N,), torch.bfloat16, 0.1, 1.0), rng.randn(shape, torch.bfloat16)
    y, dx, dw = torch.empty_like(x), torch.empty_like(x), torch.empty_like(w)
    rstd = torch.empty(M, dtype=torch.float32, device="cuda")
    args_f, args_b = (x, w, y, rstd, 1e-6, 0.0, RMS_LLAMA), (dy, x, w, rstd, dx, dw, 0.0, RMS_LLAMA)

    def ours(ctx=None):
        f = lib.bind("liger_rms_norm_forward", *args_f, ctx=ctx)
        b = lib.bind("liger_rms_norm_backward", *args_b, ctx=ctx)
        return f, lambda: (f(), b())

    xr, wr = x.detach().requires_grad_(), w.detach().requires_grad_()
    tri_f = (lambda: tri.rms_norm_forward(*args_f)) if tri else None
    tri_full = (lambda: (tri.rms_norm_forward(*args_f), tri.rms_norm_backward(*args_b))) if tri else None
    return Bench(f"{M}x{N}", "bfloat16", (2, 5), x.numel() * 2, ours, lambda: hf_rms_norm(xr, wr, 1e-6),
                 lambda: grads(hf_rms_norm(xr, wr, 1e-6), (xr, wr), dy), (tri_f, tri_full))


def ln_bench(shape, lib, tri):
    import torch
    import torch.nn.functional as F
    M, N = shape
    rng = Rng("bench ln")
    x, dy = rng.randn(shape, torch.bfloat16), rng.randn(shape, torch.bfloat16)
    w, b = rng.randn((N,), torch.bfloat16, 0.1, 1.0), rng.randn((N,), torch.bfloat16, 0.1)
    y, dx, dw, db = torch.empty_like(x), torch.empty_like(x), torch.empty_like(w), torch.empty_like(b)
    mean, rstd = torch.empty(M, dtype=torch.float32, device="cuda"), torch.empty(M, dtype=torch.float32, device="cuda")
    args_f, args_b = (x, w, b, y, mean, rstd, 1e-5), (dy, x, w, b, mean, rstd, dx, dw, db)

    def ours(ctx=None):
        f = lib.bind("liger_layer_norm_forward", *args_f, ctx=ctx)
        bw = lib.bind("liger_layer_norm_backward", *args_b, ctx=ctx)
        return f, lambda: (f(), bw())

    xr, wr, br = (t.detach().requires_grad_() for t in (x, w, b))
    fwd = lambda: F.layer_norm(xr, (N,), wr, br, 1e-5)
    tri_f = (lambda: tri.layer_norm_forward(*args_f)) if tri else None
    tri_full = (lambda: (tri.layer_norm_forward(*args_f), tri.layer_norm_backward(*args_b))) if tri else None
    return Bench(f"{M}x{N}", "bfloat16", (2, 5), x.numel() * 2, ours, fwd, lambda: grads(fwd(), (xr, wr, br), dy),
                 (tri_f, tri_full))


def glu_bench(op, shape, lib, tri):
    import torch
    import torch.nn.functional as F
    rng = Rng("bench " + op)
    a, b, dc = (rng.randn(shape, torch.bfloat16) for _ in range(3))
    c, da, db = torch.empty_like(a), torch.empty_like(a), torch.empty_like(a)
    args_f, args_b = (a, b, c), (dc, a, b, da, db)  # separate gradients: the inputs stay put

    def ours(ctx=None):
        f = lib.bind(f"liger_{op}_forward", *args_f, ctx=ctx)
        bw = lib.bind(f"liger_{op}_backward", *args_b, ctx=ctx)
        return f, lambda: (f(), bw())

    ar, br = a.detach().requires_grad_(), b.detach().requires_grad_()
    act = (lambda t: F.silu(t)) if op == "swiglu" else (lambda t: F.gelu(t, approximate="tanh"))
    fwd = lambda: act(ar) * br
    tf, tb = (getattr(tri, op + "_forward"), getattr(tri, op + "_backward")) if tri else (None, None)
    tri_f = (lambda: tf(*args_f)) if tri else None
    tri_full = (lambda: (tf(*args_f), tb(*args_b))) if tri else None
    return Bench(shape_str(shape), "bfloat16", (3, 8), a.numel() * 2, ours, fwd, lambda: grads(fwd(), (ar, br), dc),
                 (tri_f, tri_full))


def softmax_bench(shape, lib, tri):
    import torch
    rng = Rng("bench softmax")
    x, dy = rng.randn(shape, torch.bfloat16), rng.randn(shape, torch.bfloat16)
    y, dx = torch.empty_like(x), torch.empty_like(x)

    def ours(ctx=None):
        f = lib.bind("liger_softmax_forward", x, y, ctx=ctx)
        bw = lib.bind("liger_softmax_backward", dy, y, dx, ctx=ctx)
        return f, lambda: (f(), bw())

    xr = x.detach().requires_grad_()
    fwd = lambda: torch.softmax(xr, -1)
    tri_f = (lambda: tri.softmax_forward(x, y)) if tri else None
    tri_full = (lambda: (tri.softmax_forward(x, y), tri.softmax_backward(dy, y, dx))) if tri else None
    return Bench(shape_str(shape), "bfloat16", (2, 5), x.numel() * 2, ours, fwd, lambda: grads(fwd(), (xr,), dy),
                 (tri_f, tri_full))


def ce_bench(shape, lib, tri):
    """Forward = the forward with the gradient over the logits (what Liger does under autograd);
    full = that plus a backward with grad_output 1.0 (skipped on the device: loss.backward())."""
    import torch
    import torch.nn.functional as F
    R, V = shape
    rng = Rng("bench ce")
    x = rng.randn(shape, torch.bfloat16, 2.0)
    t = rng.randint(0, V, (R,), torch.int64)
    t[::16] = -100
    loss = torch.empty((), dtype=torch.float32, device="cuda")
    one = torch.ones((), dtype=torch.float32, device="cuda")
    opts = ce_options(reduction=CE_MEAN)
    xo = x.clone()  # ours overwrites it with the gradient

    def ours(ctx=None):
        f = lib.bind("liger_cross_entropy_forward", xo, t, None, loss, None, opts, ctx=ctx)
        bw = lib.bind("liger_cross_entropy_backward", xo, one, ctx=ctx)
        return f, lambda: (f(), bw())

    xr = x.detach().requires_grad_()
    fwd = lambda: F.cross_entropy(xr, t, ignore_index=-100)
    tri_f = (lambda: tri.cross_entropy_forward(xo, t, None, loss, None, opts)) if tri else None
    tri_full = (lambda: (tri_f(), tri.cross_entropy_backward(xo, one))) if tri else None
    return Bench(f"{R}x{V}", "bfloat16", (1, 2), x.numel() * 2, ours, fwd, lambda: grads(fwd(), (xr,), None),
                 (tri_f, tri_full))


def kl_bench(shape, lib, tri):
    import torch
    import torch.nn.functional as F
    rng = Rng("bench kl")
    yp = torch.log_softmax(rng.randn(shape, torch.float32), -1)
    yt = torch.softmax(rng.randn(shape, torch.float32), -1)
    loss, gp = torch.empty((), dtype=torch.float32, device="cuda"), torch.empty_like(yt)
    args_f, args_b = (yp, yt, loss, KL_BATCHMEAN, 0, 1e-10), (yt, None, gp, KL_BATCHMEAN, 0)

    def ours(ctx=None):
        f = lib.bind("liger_kl_div_forward", *args_f, ctx=ctx)
        bw = lib.bind("liger_kl_div_backward", *args_b, ctx=ctx)
        return f, lambda: (f(), bw())

    ypr = yp.detach().requires_grad_()
    fwd = lambda: F.kl_div(ypr, yt, reduction="batchmean", log_target=False)
    tri_f = (lambda: tri.kl_div_forward(*args_f)) if tri else None
    tri_full = (lambda: (tri.kl_div_forward(*args_f), tri.kl_div_backward(*args_b))) if tri else None
    return Bench(shape_str(shape), "float32", (2, 3), yp.numel() * 4, ours, fwd, lambda: grads(fwd(), (ypr,), None),
                 (tri_f, tri_full))


def torch_jsd(log_q, log_p, beta):  # the eager form of kernels.md §13 (no labels)
    import torch
    q, p = torch.exp(log_q), torch.exp(log_p)
    m = torch.lerp(q, p, beta)
    el = beta * p * log_p + (1 - beta) * q * log_q - m * torch.log(m)
    return el.sum() / log_q.shape[0]


def jsd_bench(shape, lib, tri):
    """Forward = the loss and the gradient (Liger computes the gradient in the forward); full =
    that plus a backward with grad_output 1.0 (skipped on the device)."""
    import torch
    rng = Rng("bench jsd")
    lq = torch.log_softmax(rng.randn(shape, torch.float32), -1)
    lp = torch.log_softmax(rng.randn(shape, torch.float32), -1)
    loss, gq = torch.empty((), dtype=torch.float32, device="cuda"), torch.empty_like(lq)
    one = torch.ones((), dtype=torch.float32, device="cuda")

    def ours(ctx=None):
        f = lib.bind("liger_jsd_forward", lq, lp, None, loss, gq, 0.5, -100, ctx=ctx)
        bw = lib.bind("liger_jsd_backward", gq, one, ctx=ctx)
        return f, lambda: (f(), bw())

    lqr = lq.detach().requires_grad_()
    fwd = lambda: torch_jsd(lqr, lp, 0.5)
    tri_f = (lambda: tri.jsd_forward(lq, lp, None, loss, gq, 0.5, -100)) if tri else None
    tri_full = (lambda: (tri_f(), tri.jsd_backward(gq, one))) if tri else None
    return Bench(shape_str(shape), "float32", (2, 3), lq.numel() * 4, ours, fwd, lambda: grads(fwd(), (lqr,), None),
                 (tri_f, tri_full))


def hf_rope(q, k, cos, sin):  # Hugging Face apply_rotary_pos_emb (rotate_half), cos/sin (1, S, D)
    import torch

    def rot(x):
        h = x.shape[-1] // 2
        return torch.cat((-x[..., h:], x[..., :h]), -1)

    c, s = cos.unsqueeze(1), sin.unsqueeze(1)
    return q * c + rot(q) * s, k * c + rot(k) * s


def rope_bench(shape, lib, tri):
    import torch
    B, S, HQ, HK, D = shape
    rng = Rng("bench rope")
    cos, sin = rope_tables(B, S, D, torch.bfloat16, "1SD")
    q, k = rope_heads(rng, B, S, HQ, D, torch.bfloat16, "hf"), rope_heads(rng, B, S, HK, D, torch.bfloat16, "hf")
    dq, dk = rope_heads(rng, B, S, HQ, D, torch.bfloat16, "hf"), rope_heads(rng, B, S, HK, D, torch.bfloat16, "hf")

    def ours(ctx=None):  # in place; rotations keep the values bounded
        f = lib.bind("liger_rope_forward", q, k, cos, sin, ctx=ctx)
        bw = lib.bind("liger_rope_backward", dq, dk, cos, sin, ctx=ctx)
        return f, lambda: (f(), bw())

    qr, kr = q.detach().requires_grad_(), k.detach().requires_grad_()
    fwd = lambda: hf_rope(qr, kr, cos, sin)

    def full():
        a, b = fwd()
        return (a, b) + tuple(torch.autograd.grad((a, b), (qr, kr), (dq, dk)))

    tri_f = (lambda: tri.rope_forward(q, k, cos, sin)) if tri else None
    tri_full = (lambda: (tri.rope_forward(q, k, cos, sin), tri.rope_backward(dq, dk, cos, sin))) if tri else None
    return Bench(f"B{B} S{S} q{HQ} k{HK} D{D}", "bfloat16", (2, 4), (q.numel() + k.numel()) * 2, ours, fwd, full,
                 (tri_f, tri_full))


def torch_sparsemax(x):  # the eager sort-based form (Liger's torch reference); autograd gives the backward
    import torch
    z = torch.sort(x, -1, descending=True).values
    cs = torch.cumsum(z, -1)
    r = torch.arange(1, x.shape[-1] + 1, dtype=x.dtype, device=x.device)
    k = ((1 + r * z) > cs).sum(-1, keepdim=True).clamp(min=1)
    tau = (cs.gather(-1, k - 1) - 1) / k
    return torch.clamp(x - tau, min=0)


def sparsemax_bench(shape, lib, tri):
    import torch
    rng = Rng("bench sparsemax")
    x, dy = rng.randn(shape, torch.float32, 2.0), rng.randn(shape, torch.float32)
    y, dx = torch.empty_like(x), torch.empty_like(x)

    def ours(ctx=None):
        f = lib.bind("liger_sparsemax_forward", x, y, ctx=ctx)
        bw = lib.bind("liger_sparsemax_backward", dy, y, dx, ctx=ctx)
        return f, lambda: (f(), bw())

    xr = x.detach().requires_grad_()
    fwd = lambda: torch_sparsemax(xr)
    tri_f = (lambda: tri.sparsemax_forward(x, y)) if tri else None
    tri_full = (lambda: (tri.sparsemax_forward(x, y), tri.sparsemax_backward(dy, y, dx))) if tri else None
    return Bench(shape_str(shape), "float32", (2, 5), x.numel() * 4, ours, fwd, lambda: grads(fwd(), (xr,), dy),
                 (tri_f, tri_full))


def embedding_bench(shape, lib, tri):
    """(V, D, ids), bf16; bytes as liger-bench: E = 2 ids D; forward 2E + 8 ids, backward
    2 V D + 3E + 8 ids (zero dw, read dout, read and write the touched rows)."""
    import torch
    import torch.nn.functional as F
    V, D, n = shape
    rng = Rng("bench embedding")
    w = rng.randn((V, D), torch.bfloat16)
    ids = rng.randint(0, V, (n,), torch.int64)
    out, dout, dw = torch.empty((n, D), dtype=torch.bfloat16, device="cuda"), rng.randn((n, D), torch.bfloat16), torch.empty_like(w)

    def ours(ctx=None):
        f = lib.bind("liger_embedding_forward", ids, w, out, -1, ctx=ctx)
        bw = lib.bind("liger_embedding_backward", ids, dout, dw, -1, 0, ctx=ctx)
        return f, lambda: (f(), bw())

    wr = w.detach().requires_grad_()
    fwd = lambda: F.embedding(ids, wr)
    tri_f = (lambda: tri.embedding_forward(ids, w, out, -1)) if tri else None
    tri_full = (lambda: (tri_f(), tri.embedding_backward(ids, dout, dw, -1, 0))) if tri else None
    e = 2 * n * D
    fb = 2 * e + 8 * n
    return Bench(f"V{V} D{D} ids{n}", "bfloat16", None, None, ours, fwd, lambda: grads(fwd(), (wr,), dout),
                 (tri_f, tri_full), nbytes=(fb, fb + 2 * V * D + 3 * e + 8 * n))


# anchors.md (H200): torch fwd / full ms, Liger fwd / full ms, at each op's anchors shape
ANCHORS = {"rms_norm": (0.862, 2.726, 0.127, 0.630), "layer_norm": (0.108, 0.342, 0.098, 0.393),
           "rope": (0.511, 1.075, 0.165, 0.449), "swiglu": (0.563, 1.536, 0.326, 0.884),
           "geglu": (0.581, 1.565, 0.541, 1.193), "cross_entropy": (1.993, 4.610, 1.673, 2.169),
           "softmax": (0.213, 0.403, 0.071, 0.396), "kl_div": (4.342, 7.025, 0.933, 3.102),
           "jsd": (13.08, 27.55, 26.84, 27.62), "sparsemax": (1.059, 1.839, 0.599, 0.706),
           "embedding": (0.041, 0.919, 0.038, 0.443)}
NORM_SWEEP = [(16384, 4096), (4096, 2048), (4096, 4096), (4096, 8192), (16384, 2048), (16384, 8192)]

# ---- the op table ------------------------------------------------------------------------------


class Op:
    """name: --ops name; fns: the C functions it calls; kernels: its kernels/<file>.py files;
    cases(quick) -> [Case]; check(impl, case, checker); bench(shape, lib, triton) -> Bench at
    each of shapes (the first is the anchors.md shape)."""

    def __init__(self, name, fns, kernels, cases, check, bench, shapes):
        self.name, self.fns, self.kernels = name, fns, kernels
        self.cases, self.check, self.bench, self.shapes = cases, check, bench, shapes


OPS = [
    Op("rms_norm", ["liger_rms_norm_forward", "liger_rms_norm_backward"], ["rms_norm.py", "sum_rows.py"],
       rms_cases, rms_check, rms_bench, NORM_SWEEP),
    Op("layer_norm", ["liger_layer_norm_forward", "liger_layer_norm_backward"], ["layer_norm.py", "sum_rows.py"],
       ln_cases, ln_check, ln_bench, NORM_SWEEP),
    Op("swiglu", ["liger_swiglu_forward", "liger_swiglu_backward"], ["glu.py"], lambda q: glu_cases("swiglu", q),
       lambda i, c, k: glu_check("swiglu", i, c, k), lambda s, l, t: glu_bench("swiglu", s, l, t),
       [(16384, 14336), (4096, 14336), (16384, 4096)]),
    Op("geglu", ["liger_geglu_forward", "liger_geglu_backward"], ["glu.py"], lambda q: glu_cases("geglu", q),
       lambda i, c, k: glu_check("geglu", i, c, k), lambda s, l, t: glu_bench("geglu", s, l, t),
       [(16384, 14336), (4096, 14336), (16384, 4096)]),
    Op("softmax", ["liger_softmax_forward", "liger_softmax_backward"], ["softmax.py"], softmax_cases, softmax_check,
       softmax_bench, NORM_SWEEP),
    Op("sparsemax", ["liger_sparsemax_forward", "liger_sparsemax_backward"], ["sparsemax.py"], sparsemax_cases,
       sparsemax_check, sparsemax_bench, [(4096, 4096), (16384, 4096), (4096, 32768)]),
    Op("cross_entropy", ["liger_cross_entropy_forward", "liger_cross_entropy_backward"], ["cross_entropy.py"],
       ce_cases, ce_check, ce_bench, [(8192, 128256), (8192, 32000), (4096, 128256)]),
    Op("kl_div", ["liger_kl_div_forward", "liger_kl_div_backward"], ["kl_div.py"], kl_cases, kl_check, kl_bench,
       [(4096, 128256), (4096, 32000)]),
    Op("jsd", ["liger_jsd_forward", "liger_jsd_backward"], ["jsd.py"], jsd_cases, jsd_check, jsd_bench,
       [(4096, 128256), (4096, 32000)]),
    Op("rope", ["liger_rope_forward", "liger_rope_backward"], ["rope.py"], rope_cases, rope_check, rope_bench,
       [(4, 2048, 32, 8, 128), (1, 8192, 32, 8, 128), (4, 2048, 32, 32, 128)]),
    Op("embedding", ["liger_embedding_forward", "liger_embedding_backward"], ["embedding.py"], embedding_cases,
       embedding_check, embedding_bench, [(128256, 4096, 8192), (32000, 4096, 8192), (128256, 4096, 32768)]),
]

# ---- the run ------------------------------------------------------------------------------------


def log(msg=""):
    print(msg, flush=True)


def elapsed():
    return f"{time.time() - T0:6.1f}s"


def run_checks(ops, impl, impl_name, quick, results, only_triton=False):
    import torch
    nfail = 0
    for op in ops:
        missing = [f for f in op.fns if impl_name == "ours" and f not in impl.fns]
        if missing:
            log(f"FAIL {op.name}[ours]: {', '.join(missing)} not in the library")
            results.append(dict(op=op.name, case="(all)", impl=impl_name, status="FAIL", detail="missing " + ", ".join(missing)))
            nfail += 1
            continue
        for c in op.cases(quick):
            if only_triton and not c.triton:
                continue
            chk = Checker()
            kernels = []
            status = None
            if impl_name == "triton":
                impl.launched = []
            try:
                op.check(impl, c, chk)
                torch.cuda.synchronize()
            except TritonFailure as e:
                status, chk.ok = "TRITON ERROR", False
                chk.lines.append(str(e))
            except Exception as e:  # a failed call (LigerError), a CUDA error, a bug here
                status, chk.ok = "ERROR", False
                chk.lines.append(" ".join(f"{type(e).__name__}: {e}".split())[:800])
                try:
                    torch.cuda.synchronize()
                except Exception as e2:  # a sticky CUDA error ends the run
                    chk.lines.append(f"CUDA is unusable after this: {e2}")
                    results.append(dict(op=op.name, case=c.name, impl=impl_name, status=status, detail=chk.lines))
                    log(f"ERROR {op.name}[{impl_name}] {c.name}: " + "; ".join(chk.lines))
                    raise
            if impl_name == "triton":
                kernels = sorted(set(impl.launched))
            status = status or ("PASS" if chk.ok else "FAIL")
            nfail += status != "PASS"
            results.append(dict(op=op.name, case=c.name, impl=impl_name, status=status, detail=chk.lines,
                                kernels=kernels))
            log(f"{status} {op.name}[{impl_name}] {c.name}")
            if status != "PASS":
                for line in chk.lines:
                    log(f"    {line}")
        torch.cuda.empty_cache()
    return nfail


def triton_kernel_report(results, kdir):
    """Per kernel of kernels/*.py: ok / mismatch / triton error, from the Triton cases."""
    status = {}
    for r in results:
        if r["impl"] != "triton":
            continue
        if r["status"] == "TRITON ERROR":
            k = r["detail"][0].split(":")[0]
            status.setdefault(k, ["ok", []])
            status[k][0] = "triton error"
            status[k][1].append(r["detail"][0][len(k) + 2:])
        for k in r.get("kernels", []):
            st = status.setdefault(k, ["ok", []])
            if r["status"] in ("FAIL", "ERROR") and st[0] == "ok":
                st[0] = "mismatch"
                st[1].append(f"{r['case']}: " + "; ".join(l for l in r["detail"] if "outside" in l or "Error" in l))
    # every @triton.jit kernel of the files, so the ones no case launched show up too
    for f in sorted(os.listdir(kdir)):
        if f.endswith(".py"):
            src = open(os.path.join(kdir, f)).read()
            for name in re.findall(r"@triton\.jit\s*\ndef\s+([a-z]\w*)\s*\(", src):
                status.setdefault(f[:-3] + "." + name, ["not launched", []])
    return status


def bench_row(op, b, timer, lib, copy_gbs, tri_on):
    import torch
    row = dict(op=op.name, shape=b.label, dtype=b.dtype)
    fwd, full = b.ours()
    for key, fn in (("ours_fwd_ms", fwd), ("ours_full_ms", full), ("torch_fwd_ms", b.torch_fwd),
                    ("torch_full_ms", b.torch_full)):
        try:
            row[key] = timer(fn)
        except Exception as e:
            row[key] = None
            row.setdefault("errors", []).append(f"{key}: {type(e).__name__}: {e}"[:400])
            torch.cuda.synchronize()
    if tri_on and b.triton and b.triton[0]:
        for key, fn in (("triton_fwd_ms", b.triton[0]), ("triton_full_ms", b.triton[1])):
            try:
                row[key] = timer(fn)
            except Exception as e:
                row[key] = None
                row.setdefault("errors", []).append(f"{key}: {type(e).__name__}: {e}"[:400])
    for which, nbytes in (("fwd", b.nbytes[0]), ("full", b.nbytes[1])):
        for impl in ("ours", "torch", "triton"):
            ms = row.get(f"{impl}_{which}_ms")
            if ms:
                row[f"{impl}_{which}_gbs"] = nbytes / (ms * 1e6)
        if row.get(f"ours_{which}_gbs") and copy_gbs:
            row[f"ours_{which}_copy_pct"] = 100 * row[f"ours_{which}_gbs"] / copy_gbs
        if row.get(f"ours_{which}_ms") and row.get(f"torch_{which}_ms"):
            row[f"ours_over_torch_{which}"] = row[f"ours_{which}_ms"] / row[f"torch_{which}_ms"]
    try:
        row["torch_extra_mib"] = torch_extra_mib(b.torch_full)
    except Exception as e:
        row.setdefault("errors", []).append(f"torch memory: {e}"[:400])
    try:
        row["ours_extra_mib"] = ours_extra_mib(lib, lambda ctx: b.ours(ctx)[1])
    except Exception as e:
        row.setdefault("errors", []).append(f"ours memory: {e}"[:400])
    return row


def copy_bandwidth(timer):
    import torch
    n = 2 ** 29  # 2 GiB of fp32
    src = torch.empty(n, dtype=torch.float32, device="cuda").fill_(1.0)
    dst = torch.empty_like(src)
    ms = timer(lambda: dst.copy_(src))
    return 2.0 * n * 4 / (ms * 1e6), ms  # (the buffers go back to torch's cache on return)


BENCH_COLS = [("op", "op", "{}"), ("shape", "shape", "{}"), ("dtype", "dtype", "{}"),
              ("ours_fwd_ms", "ours fwd", "{:.3f}"), ("ours_full_ms", "ours full", "{:.3f}"),
              ("torch_fwd_ms", "torch fwd", "{:.3f}"), ("torch_full_ms", "torch full", "{:.3f}"),
              ("triton_fwd_ms", "tri fwd", "{:.3f}"), ("triton_full_ms", "tri full", "{:.3f}"),
              ("ours_fwd_gbs", "GB/s fwd", "{:.0f}"), ("ours_full_gbs", "GB/s full", "{:.0f}"),
              ("ours_fwd_copy_pct", "%copy fwd", "{:.0f}"), ("ours_full_copy_pct", "%copy full", "{:.0f}"),
              ("ours_over_torch_fwd", "/torch fwd", "{:.2f}"), ("ours_over_torch_full", "/torch full", "{:.2f}"),
              ("ours_extra_mib", "ours MiB", "{:.0f}"), ("torch_extra_mib", "torch MiB", "{:.0f}"),
              ("anchor", "anchors torch|Liger fwd/full ms", "{}")]


def print_table(rows):
    cells = [[h for _, h, _ in BENCH_COLS]]
    for r in rows:
        cells.append([("-" if r.get(k) is None else f.format(r[k])) for k, _, f in BENCH_COLS])
    widths = [max(len(c[i]) for c in cells) for i in range(len(BENCH_COLS))]
    for ri, c in enumerate(cells):
        log("  ".join(v.ljust(widths[i]) if i < 3 else v.rjust(widths[i]) for i, v in enumerate(c)).rstrip())
        if ri == 0:
            log("  ".join("-" * w for w in widths))


def write_csv(path, rows):
    keys = []
    for r in rows:
        for k in r:
            if k not in keys:
                keys.append(k)
    with open(path, "w") as f:
        f.write(",".join(keys) + "\n")
        for r in rows:
            vals = []
            for k in keys:
                v = r.get(k)
                v = "" if v is None else (f"{v:.6g}" if isinstance(v, float) else str(v))
                vals.append('"' + v.replace('"', "'") + '"' if ("," in v or '"' in v) else v)
            f.write(",".join(vals) + "\n")


def select_ops(spec):
    if not spec:
        return OPS
    names = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [n for n in names if n not in [o.name for o in OPS]]
    if unknown:
        sys.exit(f"torch_ops: unknown op(s) {', '.join(unknown)}; known: {', '.join(o.name for o in OPS)}")
    return [o for o in OPS if o.name in names]


def list_plan(ops, quick):
    total = ntri = 0
    for op in ops:
        cases = op.cases(quick)
        total += len(cases)
        ntri += sum(c.triton for c in cases)
        log(f"{op.name}: {len(cases)} cases ({sum(c.triton for c in cases)} also under Triton), kernels "
            f"{', '.join(op.kernels)}, bench {', '.join(shape_str(s) for s in op.shapes)}")
        for c in cases:
            log(f"    {'T' if c.triton else ' '} {c.name}")
    log(f"{total} cases, {ntri} under Triton")
    return total


# ---- --dry-run: the ctypes plumbing on a CPU context, without torch ------------------------------


def cpu_smoke(lib_path):
    """Every declared function once on tiny CPU tensors (ctypes arrays), with a few values
    checked against Python: the argtypes, DLTensor and liger_ce_options layouts are right when
    these pass. Returns the number of failures."""
    lib = Lib(lib_path, "cpu")
    log(f"library {lib_path}: {lib.version}; context {lib.desc}")
    fails = 0

    def run(name, *args):
        nonlocal fails
        try:
            lib.call(name, *args)
            return True
        except Exception as e:
            fails += 1
            log(f"FAIL smoke {name}: {e}")
            return False

    def expect(name, got, want, tol=1e-5):
        nonlocal fails
        bad = [(i, g, w) for i, (g, w) in enumerate(zip(got, want)) if not abs(g - w) <= tol * (1 + abs(w))]
        if bad:
            fails += 1
            log(f"FAIL smoke {name}: {bad[:3]} (index, got, want)")

    X = [0.5, -1.0, 2.0, 0.25, 1.5, -0.75, 0.0, 3.0]
    x, w = HostBuf((2, 4), X), HostBuf((4,), [1.0, 0.5, 2.0, -1.0])
    y, rstd = HostBuf((2, 4)), HostBuf((2,))
    if run("liger_rms_norm_forward", x, w, y, rstd, 1e-6, 0.0, RMS_LLAMA):
        want = []
        for r in range(2):
            row = X[4 * r:4 * r + 4]
            rs = 1 / math.sqrt(sum(v * v for v in row) / 4 + 1e-6)
            want += [v * rs * wv for v, wv in zip(row, w.tolist())]
        expect("rms_norm_forward y", y.tolist(), want)
    dx, dw = HostBuf((2, 4)), HostBuf((4,))
    run("liger_rms_norm_backward", HostBuf((2, 4), [1.0] * 8), x, w, rstd, dx, dw, 0.0, RMS_GEMMA)
    b, mean = HostBuf((4,), [0.1] * 4), HostBuf((2,))
    if run("liger_layer_norm_forward", x, w, b, y, mean, rstd, 1e-5):
        expect("layer_norm_forward mean", mean.tolist(), [sum(X[:4]) / 4, sum(X[4:]) / 4])
    db = HostBuf((4,))
    run("liger_layer_norm_backward", HostBuf((2, 4), [0.5] * 8), x, w, b, mean, rstd, dx, dw, db)
    for op in ("swiglu", "geglu"):
        c, da, dbb = HostBuf((2, 4)), HostBuf((2, 4)), HostBuf((2, 4))
        if run(f"liger_{op}_forward", x, x, c) and op == "swiglu":
            expect("swiglu_forward c", c.tolist(), [v / (1 + math.exp(-v)) * v for v in X], 1e-3)
        run(f"liger_{op}_backward", x, x, x, da, dbb)
    if run("liger_softmax_forward", x, y):
        want = []
        for r in range(2):
            row = X[4 * r:4 * r + 4]
            e = [math.exp(v - max(row)) for v in row]
            want += [v / sum(e) for v in e]
        expect("softmax_forward y", y.tolist(), want)
    run("liger_softmax_backward", x, y, dx)
    sx = HostBuf((1, 4), [0.1, 2.0, 1.5, -3.0])
    sy = HostBuf((1, 4))
    if run("liger_sparsemax_forward", sx, sy):
        expect("sparsemax_forward y", sy.tolist(), [0.0, 0.75, 0.25, 0.0])
    run("liger_sparsemax_backward", HostBuf((1, 4), [1.0, 2.0, 3.0, 4.0]), sy, HostBuf((1, 4)))
    ids = HostBuf((3,), [2, 0, 2], "int64")
    table = HostBuf((3, 2), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    eout = HostBuf((3, 2))
    if run("liger_embedding_forward", ids, table, eout, 0):  # padding_idx 0: its row gives zeros
        expect("embedding_forward out (padding_idx 0)", eout.tolist(), [5.0, 6.0, 0.0, 0.0, 5.0, 6.0])
    edw = HostBuf((3, 2), [9.0] * 6)
    if run("liger_embedding_backward", ids, HostBuf((3, 2), [1.0] * 6), edw, -1, 0):
        expect("embedding_backward dw", edw.tolist(), [1.0, 1.0, 0.0, 0.0, 2.0, 2.0])
    logits = HostBuf((2, 4), X)
    target = HostBuf((2,), [2, 3], "int64")
    loss = HostBuf(())
    if run("liger_cross_entropy_forward", logits, target, None, loss, None, ce_options(reduction=CE_MEAN, grad=0)):
        want = 0.0
        for r, t in enumerate([2, 3]):
            row = X[4 * r:4 * r + 4]
            want += math.log(sum(math.exp(v) for v in row)) - row[t]
        expect("cross_entropy_forward loss (mean, options struct)", loss.tolist(), [want / 2])
    # ignore_index = 2 in the struct must reach the kernel: row 0 ignored, 'sum' is row 1 alone
    if run("liger_cross_entropy_forward", logits, target, None, loss, None,
           ce_options(ignore_index=2, reduction=CE_SUM, grad=1)):
        row = X[4:]
        expect("cross_entropy_forward loss (ignore_index 2, sum)", loss.tolist(),
               [math.log(sum(math.exp(v) for v in row)) - row[3]])
    run("liger_cross_entropy_backward", logits, HostBuf((), [0.5]))
    yp = HostBuf((2, 4), [math.log(0.25)] * 8)
    yt = HostBuf((2, 4), [0.1, 0.2, 0.3, 0.4] * 2)
    if run("liger_kl_div_forward", yp, yt, loss, KL_BATCHMEAN, 0, 1e-10):
        expect("kl_div_forward loss", loss.tolist(),
               [sum(t * (math.log(t) - math.log(0.25)) for t in [0.1, 0.2, 0.3, 0.4])])
    run("liger_kl_div_backward", yt, None, dx, KL_SUM, 0)
    labels = HostBuf((2,), [1, 7], "int64")
    if run("liger_jsd_forward", yp, yp, labels, loss, dx, 0.5, 7):
        expect("jsd_forward loss (identical inputs)", loss.tolist(), [0.0], 1e-6)
    run("liger_jsd_backward", dx, HostBuf((), [2.0]))
    q, k = HostBuf((1, 1, 2, 4), X), HostBuf((1, 1, 2, 4), X)
    cos, sin = HostBuf((2, 4), [1.0] * 8), HostBuf((2, 4), [0.0] * 8)
    if run("liger_rope_forward", q, k, cos, sin):
        expect("rope_forward (identity rotation)", q.tolist(), X)
    run("liger_rope_backward", q, k, cos, sin)
    lib.destroy_context(lib.ctx)
    log(f"cpu smoke: {'ok' if not fails else f'{fails} failed'} ({len(API)} functions declared)")
    return fails


def default_lib():
    return find_first([os.path.join(os.getcwd(), ".dev/lib/libliger-jit.so"), os.path.join(HERE, "lib/libliger-jit.so"),
                       os.path.join(os.getcwd(), "build/lib/libliger-jit.so"),
                       os.path.join(HERE, "../../build/lib/libliger-jit.so")])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lib", help="libliger-jit.so (default: .dev/lib or build/lib)")
    ap.add_argument("--device", default="cuda:0")
    ap.add_argument("--json")
    ap.add_argument("--csv")
    ap.add_argument("--ops", help="comma-separated: " + ",".join(o.name for o in OPS))
    ap.add_argument("--quick", action="store_true", help="small shapes, correctness and Triton only")
    ap.add_argument("--no-check", action="store_true")
    ap.add_argument("--no-triton", action="store_true")
    ap.add_argument("--no-bench", action="store_true")
    ap.add_argument("--flush-l2", action="store_true", help="write 256 MiB before each timed batch")
    ap.add_argument("--list", action="store_true", help="list the cases and shapes, then stop (no torch)")
    ap.add_argument("--dry-run", action="store_true",
                    help="--list, ops.h against the declarations, a CPU smoke call of every op (no torch)")
    a = ap.parse_args()
    ops = select_ops(a.ops)

    if a.list or a.dry_run:
        list_plan(ops, a.quick)
        if not a.dry_run:
            return 0
        bad = 0
        hp = header_path()
        if hp:
            problems, _ = check_api_against_header(hp)
            for p in problems:
                log(f"FAIL api: {p}")
            bad += len(problems)
        else:
            log("ops.h not found: the declarations were not checked")
        kd = kernels_dir()
        log(f"kernels: {kd or 'not found'}")
        for op in ops:
            for f in op.kernels:
                if not kd or not os.path.exists(os.path.join(kd, f)):
                    log(f"FAIL kernels/{f} not found")
                    bad += 1
        lib_path = a.lib or default_lib()
        if lib_path and os.path.exists(lib_path):
            bad += cpu_smoke(lib_path)
        else:
            log("library not found: no CPU smoke test (--lib PATH)")
        log(f"dry run: {'ok' if not bad else f'{bad} problems'}")
        return 1 if bad else 0

    try:
        import torch
    except ImportError:
        log("torch_ops: torch is not installed; nothing to compare with (try --dry-run)")
        return 2
    if not torch.cuda.is_available():
        log("torch_ops: torch sees no CUDA device")
        return 2
    torch.cuda.init()
    torch.backends.cuda.matmul.allow_tf32 = False
    dev_index = int(a.device.split(":")[1]) if ":" in a.device else 0
    torch.cuda.set_device(dev_index)
    lib_path = a.lib or default_lib()
    if not lib_path:
        log("torch_ops: libliger-jit.so not found (--lib PATH)")
        return 2
    hp = header_path()
    if hp:
        problems, missing = check_api_against_header(hp)
        if problems:
            for p in problems:
                log(f"api: {p}")
            log("torch_ops: the ctypes declarations do not match ops.h; fix API in this script")
            return 2
    try:
        lib = Lib(lib_path, f"cuda:{dev_index}")
    except (OSError, LigerError) as e:
        log(f"torch_ops: cannot load {lib_path}: {e}")
        return 2
    props = torch.cuda.get_device_properties(dev_index)
    sms = props.multi_processor_count
    try:
        import triton
        triton_version = triton.__version__
    except Exception as e:
        triton_version = f"not importable ({type(e).__name__}: {e})"
    log(f"liger-jit {lib.version} ({lib_path}); context {lib.desc}")
    log(f"torch {torch.__version__}, triton {triton_version}, {props.name}, {sms} SMs, "
        f"{props.total_memory / 2 ** 30:.0f} GiB")
    report = dict(liger_version=lib.version, device=lib.desc, gpu=props.name, sms=sms, torch=torch.__version__,
                  triton=triton_version, quick=a.quick, ops=[o.name for o in ops], checks=[], triton_kernels={},
                  bench=[], flush_l2=a.flush_l2)
    failures = 0
    results = report["checks"]

    if not a.no_check:
        log(f"\n== checks: ours against torch references ({elapsed()})")
        failures += run_checks(ops, lib, "ours", a.quick, results)

    if not a.no_triton:
        log(f"\n== Triton: our kernels/*.py unchanged under Triton {triton_version} ({elapsed()})")
        kd = kernels_dir()
        tri = None
        try:
            if not kd:
                raise RuntimeError("kernels/ not found (from the repository root, or .dev/kernels)")
            tri = TritonImpl(kd, sms)
        except Exception as e:
            log(f"FAIL triton: cannot start: {type(e).__name__}: {e}")
            failures += 1
        if tri:
            tfail = run_checks(ops, tri, "triton", a.quick, results, only_triton=True)
            failures += tfail
            kstat = triton_kernel_report(results, kd)
            report["triton_kernels"] = {k: dict(status=v[0], detail=v[1]) for k, v in kstat.items()}
            log("\nper kernel:")
            for k in sorted(kstat):
                st, det = kstat[k]
                log(f"  {k:40s} {st}{(': ' + det[0]) if det else ''}")
    else:
        tri = None

    if not a.no_bench and not a.quick:
        flush = torch.empty(2 ** 26, dtype=torch.float32, device="cuda") if a.flush_l2 else None
        timer = Timer(flush=flush)
        copy_gbs, copy_ms = copy_bandwidth(timer)
        torch.cuda.empty_cache()
        report["copy"] = dict(gbs=copy_gbs, ms=copy_ms, bytes=2 * 2 ** 31)
        log(f"\n== bench ({elapsed()}): median of {timer.batches} batches of ~{timer.target_ms:g} ms, CUDA events; "
            f"L2 {'flushed (256 MiB written) before each batch' if flush is not None else 'not flushed'}")
        log(f"copy (torch copy_, 2 GiB, read + write): {copy_ms:.3f} ms, {copy_gbs:.0f} GB/s "
            f"(anchors.md: 1.012 ms, 4245 GB/s)")
        log("GB/s: minimal bytes (anchors.md); ours MiB: scratch held after the first fwd+bwd on a new "
            "context (liger_ops_scratch); torch MiB: peak allocated over fwd+bwd less inputs and what it returns; "
            "Triton timings include the Python host code of TritonImpl")
        rows = report["bench"]
        for op in ops:
            for si, shape in enumerate(op.shapes):
                try:
                    b = op.bench(shape, lib, tri if si == 0 else None)
                    row = bench_row(op, b, timer, lib, copy_gbs, si == 0)
                    if si == 0 and op.name in ANCHORS:
                        row["anchor"] = "{}/{} | {}/{}".format(*ANCHORS[op.name])
                    del b
                except Exception as e:
                    row = dict(op=op.name, shape=shape_str(shape), errors=[f"{type(e).__name__}: {e}"[:400]])
                    try:
                        torch.cuda.synchronize()
                    except Exception:
                        log(f"bench {op.name} {shape}: CUDA is unusable: {e}")
                        raise
                rows.append(row)
                log(f"  {op.name} {row.get('shape')}: ours {row.get('ours_fwd_ms')} / {row.get('ours_full_ms')} ms, "
                    f"torch {row.get('torch_fwd_ms')} / {row.get('torch_full_ms')} ms ({elapsed()})"
                    + (f"; errors: {row['errors']}" if row.get("errors") else ""))
                torch.cuda.empty_cache()
        log("")
        print_table(rows)

    npass = sum(r["status"] == "PASS" for r in results)
    nfail = len(results) - npass
    report["passed"], report["failed"] = npass, nfail
    report["seconds"] = time.time() - T0
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=1, default=str)
    if a.csv and report["bench"]:
        write_csv(a.csv, report["bench"])
    log(f"\ntorch_ops: {elapsed()}")
    log(f"{npass} passed, {nfail} failed")
    return 1 if failures or nfail else 0


if __name__ == "__main__":
    sys.exit(main())
