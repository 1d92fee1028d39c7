/*
 * link.h — the last step of the GPU targets: PTX → cubin (nvJitLink, loaded at run time)
 * and AMDGPU relocatable object → hsaco (lld linked in-process through link_hsaco.cpp).
 * Both work without a GPU. Failures return a status and set the thread's last error
 * (runtime/error.c) with the linker's own log.
 */
#ifndef LIGER_CODEGEN_LINK_H
#define LIGER_CODEGEN_LINK_H

#include "liger/liger.h"

#include <stddef.h>

/* PTX text (`len` bytes, need not be NUL-terminated) → cubin for `arch` ("sm_90", "sm_90a").
 * *out is malloc'd. LIGER_ERR_NO_DEVICE when libnvJitLink cannot be found (the message says
 * where it looked), LIGER_ERR_COMPILE with the nvJitLink error log on a PTX error. */
liger_status cg_link_cubin(const char *ptx, size_t len, const char *arch, char **out, size_t *out_len);

/* ELF relocatable AMDGPU object → hsaco (ELF shared object, `ld.lld -shared`). *out is
 * malloc'd. LIGER_ERR_COMPILE with lld's messages on failure. Thread-safe. */
liger_status cg_link_hsaco(const void *obj, size_t len, char **out, size_t *out_len);

#endif
