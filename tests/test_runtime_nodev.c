/*
 * test_runtime_nodev.c — the GPU back ends on a machine that may have no GPU.
 *
 * rt_backend_cuda.open and rt_backend_hip.open must come back with LIGER_ERR_NO_DEVICE and
 * a message saying why (driver library missing, no device, ordinal out of range) instead of
 * crashing; on a machine that does have the device they return LIGER_OK and we close it.
 * Exit status 0 = pass, 1 = fail.
 */
#include "runtime.h"

#include <stdio.h>
#include <string.h>

#include "check.h"

static void check_backend(const RtBackend *be) {
  RtDevice *dev = NULL;
  RtDeviceInfo info;
  memset(&info, 0, sizeof info);
  liger_status st = be->open(0, &dev, &info);
  if (st == LIGER_OK) {
    CHECK(dev != NULL && info.name[0] && info.target[0] && info.warp_size > 0 && info.num_sms > 0,
          "%s:0 is present: %s (%s, warp %d, %d SMs/CUs, %zu B shared)", be->name, info.name,
          info.target, info.warp_size, info.num_sms, info.max_shared);
    be->close(dev);
  } else {
    const char *msg = liger_last_error();
    CHECK(st == LIGER_ERR_NO_DEVICE && dev == NULL && msg[0] && strstr(msg, be->name),
          "%s:0 → %s: %s", be->name, liger_status_name(st), msg);
  }

  /* An ordinal no machine has: always "no device", driver or not. */
  dev = NULL;
  st = be->open(4096, &dev, &info);
  CHECK(st == LIGER_ERR_NO_DEVICE && dev == NULL && liger_last_error()[0],
        "%s:4096 → %s: %s", be->name, liger_status_name(st), liger_last_error());

  /* Opening again after a failure must give the same answer (the driver is loaded once). */
  st = be->open(4096, &dev, &info);
  CHECK(st == LIGER_ERR_NO_DEVICE, "%s: a second open answers the same", be->name);
}

int main(void) {
  check_backend(&rt_backend_cuda);
  check_backend(&rt_backend_hip);
  if (failures) {
    printf("%d check(s) failed\n", failures);
    return 1;
  }
  printf("all checks passed\n");
  return 0;
}
