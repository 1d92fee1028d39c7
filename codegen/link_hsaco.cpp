/*
 * link_hsaco.cpp — the last step of the AMDGPU target: relocatable object → hsaco.
 *
 * codegen emits an ELF relocatable object for amdgcn-amd-amdhsa; the HIP runtime only loads
 * a linked code object (ET_DYN), which is what `ld.lld -shared` makes of it (Triton does the
 * same). We run lld's ELF driver in-process through liblldELF/liblldCommon instead of
 * spawning ld.lld: no dependence on a binary in PATH, ~1.5 ms instead of 10-30 ms.
 *
 * This is the one C++ file of the project, because lld has only a C++ entry point. It
 * exposes a single extern "C" function declared in link.h.
 *
 * lld reads and writes files, so the bytes travel through a private mkdtemp directory that
 * is removed before returning. (An anonymous memfd named /proc/self/fd/N works as lld's
 * input but not as its output: lld first creates "<output>.tmpXXXX" beside the output path,
 * which cannot exist under /proc/self/fd, and fails with "cannot open output file" even with
 * --no-mmap-output-file — checked with lld 22. One directory for both keeps it plain.)
 * lld keeps global state while it runs: lldMain may be called again after it returns, but
 * not from two threads at once, so links are serialised on one mutex.
 */
#include "lld/Common/Driver.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

extern "C" {
#include "link.h"
#include "runtime.h"
}

LLD_HAS_DRIVER(elf)

namespace {

std::mutex g_lld_lock;        // lld keeps global state: one link at a time
bool g_lld_unusable = false;  // set when lld says it cannot run again (guarded by g_lld_lock)

// Writes all of buf to fd; false on error (errno set).
bool write_all(int fd, const void *buf, size_t len) {
  const char *p = static_cast<const char *>(buf);
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

// Reads the whole file behind fd (from offset 0) into a malloc'd buffer.
liger_status read_all(int fd, const char *what, char **out, size_t *out_len) {
  struct stat st;
  if (fstat(fd, &st) != 0)
    return rt_fail(LIGER_ERR_IO, "cg_link_hsaco: fstat of %s: %s", what, strerror(errno));
  size_t len = static_cast<size_t>(st.st_size);
  if (len == 0)
    return rt_fail(LIGER_ERR_COMPILE, "cg_link_hsaco: lld reported success but wrote an empty %s",
                   what);
  char *buf = static_cast<char *>(malloc(len));
  if (!buf) return rt_fail(LIGER_ERR_OUT_OF_MEMORY, "cg_link_hsaco: %zu bytes for the hsaco", len);
  size_t got = 0;
  while (got < len) {
    ssize_t n = pread(fd, buf + got, len - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = n < 0 ? errno : EIO;
      free(buf);
      return rt_fail(LIGER_ERR_IO, "cg_link_hsaco: reading %s: %s", what, strerror(e));
    }
    got += static_cast<size_t>(n);
  }
  *out = buf;
  *out_len = len;
  return LIGER_OK;
}

// Runs `ld.lld -shared in -o out` in-process. Caller holds g_lld_lock.
liger_status run_lld(const char *in_path, const char *out_path) {
  if (g_lld_unusable)
    return rt_fail(LIGER_ERR_INTERNAL,
                   "cg_link_hsaco: an earlier lld run crashed; lld cannot run again in this process");
  std::vector<const char *> args = {
      "ld.lld", "-shared",
      // One thread: the inputs are a single small object, and a lld thread pool inside the
      // host process buys nothing.
      "--threads=1",
      // Nothing is linked into a kernel object after this point (no device libraries), so an
      // undefined symbol is a codegen bug; report it here by name rather than as an opaque
      // load failure on the device.
      "--no-undefined",
  };
  args.push_back(in_path);
  args.push_back("-o");
  args.push_back(out_path);

  std::string out_text, err_text;
  llvm::raw_string_ostream out_os(out_text), err_os(err_text);
  lld::Result r = lld::lldMain(args, out_os, err_os, {{lld::Gnu, &lld::elf::link}});
  out_os.flush();
  err_os.flush();
  if (!r.canRunAgain) g_lld_unusable = true;
  if (r.retCode != 0) {
    liger_status st = rt_fail(LIGER_ERR_COMPILE, "cg_link_hsaco: ld.lld failed (exit %d):\n",
                              r.retCode);
    rt_fail_append(err_text.empty() ? "(no message from lld)\n" : err_text.c_str());
    if (!out_text.empty()) rt_fail_append(out_text.c_str());
    return st;
  }
  return LIGER_OK;
}

// Links through a private directory under $TMPDIR (or /tmp), removed before returning.
liger_status link_tmpdir(const void *obj, size_t len, char **out, size_t *out_len) {
  const char *tmp = getenv("TMPDIR");
  if (!tmp || !*tmp) tmp = "/tmp";
  std::string dir = std::string(tmp) + "/liger-lld-XXXXXX";
  std::vector<char> dir_buf(dir.begin(), dir.end());
  dir_buf.push_back('\0');
  if (!mkdtemp(dir_buf.data()))
    return rt_fail(LIGER_ERR_IO, "cg_link_hsaco: mkdtemp in %s: %s", tmp, strerror(errno));
  std::string in_path = std::string(dir_buf.data()) + "/kernel.o";
  std::string out_path = std::string(dir_buf.data()) + "/kernel.hsaco";

  liger_status st = LIGER_OK;
  int fd = open(in_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 || !write_all(fd, obj, len)) {
    st = rt_fail(LIGER_ERR_IO, "cg_link_hsaco: writing %s: %s", in_path.c_str(), strerror(errno));
  }
  if (fd >= 0) close(fd);
  if (st == LIGER_OK) {
    {
      std::lock_guard<std::mutex> guard(g_lld_lock);
      st = run_lld(in_path.c_str(), out_path.c_str());
    }
    if (st == LIGER_OK) {
      int ofd = open(out_path.c_str(), O_RDONLY | O_CLOEXEC);
      if (ofd < 0)
        st = rt_fail(LIGER_ERR_IO, "cg_link_hsaco: opening %s: %s", out_path.c_str(),
                     strerror(errno));
      else {
        st = read_all(ofd, out_path.c_str(), out, out_len);
        close(ofd);
      }
    }
  }
  unlink(in_path.c_str());
  unlink(out_path.c_str());
  rmdir(dir_buf.data());
  return st;
}

} // namespace

extern "C" liger_status cg_link_hsaco(const void *obj, size_t len, char **out, size_t *out_len) {
  if (!obj || len == 0 || !out || !out_len)
    return rt_fail(LIGER_ERR_INVALID_ARG, "cg_link_hsaco: empty object or NULL output");
  *out = nullptr;
  *out_len = 0;
#if defined(__cpp_exceptions)
  // Nothing may unwind into the C caller: lld reports its errors through the streams, and
  // an allocation failure in our std::string/vector use surfaces as an exception at worst.
  // (Built with LLVM's -fno-exceptions this guard compiles away.)
  try {
#endif
    return link_tmpdir(obj, len, out, out_len);
#if defined(__cpp_exceptions)
  } catch (const std::exception &e) {
    return rt_fail(LIGER_ERR_INTERNAL, "cg_link_hsaco: %s", e.what());
  } catch (...) {
    return rt_fail(LIGER_ERR_INTERNAL, "cg_link_hsaco: unknown C++ exception");
  }
#endif
}

#ifdef LIGER_STATIC_LLVM
/* Debian's LLVM 22 builds Polly into its LTO back end (which liblldELF pulls in) but ships
 * neither a static libPolly nor the plugin header. lld only runs LTO on bitcode inputs and
 * we only give it AMDGPU objects, so this hook is never called; it is defined with the
 * layout of llvm::PassPluginLibraryInfo (version, name, version string, callback) so the
 * static link resolves. */
struct LigerPluginInfo {
  uint32_t api_version;
  const char *name;
  const char *version;
  void (*register_callbacks)(void *);
};
static void liger_no_polly(void *) {}
LigerPluginInfo getPollyPluginInfo();
LigerPluginInfo getPollyPluginInfo() { return {1, "liger-no-polly", "0", liger_no_polly}; }
#endif
