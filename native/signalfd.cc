// Signals as fds: signalfd(2), with sigprocmask(2) to block what it reads,
// and gettid(2) and tgkill(2) to send a signal to one thread.
//
// A signalfd reads only signals that are blocked, and a signal sent to the
// process (kill(2)) goes to any thread that does not block it. Node's own
// threads (V8's platform workers) never block the signals a script blocks,
// so in Node only a signal sent to the reading thread itself (tgkill) is
// sure to reach the fd; docs/fds.md has the whole account. That is why
// tgkill is here beside signalfd.
//
// A mask is an array of signal numbers, built into a sigset_t with
// sigemptyset(3) and sigaddset(3) as C builds it.
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "object.h"

namespace ps {

namespace {

// An array of signal numbers as a sigset_t. A number sigaddset refuses
// (outside 1.._NSIG-1, or one of the two glibc keeps for its threads, 32
// and 33) has no bit in the set the kernel reads, so it is a RangeError
// rather than something to pass on.
bool ArgSigset(napi_env env, napi_value v, const char* name, sigset_t* set) {
  bool is_array = false;
  if (v == nullptr || napi_is_array(env, v, &is_array) != napi_ok ||
      !is_array) {
    ThrowTypeError(
        env, "Expected argument '%s' to be an array of signal numbers", name);
    return false;
  }
  uint32_t n;
  napi_get_array_length(env, v, &n);
  sigemptyset(set);
  for (uint32_t i = 0; i < n; i++) {
    char item[64];
    snprintf(item, sizeof item, "%s[%u]", name, i);
    napi_value e;
    int64_t sig;
    if (napi_get_element(env, v, i, &e) != napi_ok ||
        !ArgInteger(env, e, item, INT32_MIN, INT32_MAX, &sig))
      return false;
    if (sigaddset(set, static_cast<int>(sig)) == -1) {
      ThrowRangeError(env,
                      "Argument '%s' (%lld) is not a signal number "
                      "sigaddset(3) takes (1 to %d, except glibc's own "
                      "32 and 33)",
                      item, static_cast<long long>(sig), _NSIG - 1);
      return false;
    }
  }
  return true;
}

// The members of `set`, ascending.
napi_value SigsetToJs(napi_env env, const sigset_t& set) {
  napi_value arr;
  napi_create_array(env, &arr);
  uint32_t k = 0;
  for (int sig = 1; sig < _NSIG; sig++) {
    if (sigismember(&set, sig) == 1)
      napi_set_element(env, arr, k++, Int(env, sig));
  }
  return arr;
}

// signalfd(fd, mask, flags) -> fd or -errno. fd -1 makes a new signalfd;
// an existing one gets `mask` as its new mask.
napi_value Signalfd(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int fd;
  uint32_t flags;
  sigset_t mask;
  if (!Args(env, info, argv) || !ArgInt(env, argv[0], "fd", &fd) ||
      !ArgSigset(env, argv[1], "mask", &mask) ||
      !ArgFlags(env, argv[2], "flags", 0, &flags))
    return nullptr;
  return ResultOrErrno(env, signalfd(fd, &mask, static_cast<int>(flags)));
}

// sigprocmask(how, set) -> the old mask (an array) or -errno. A null set
// only reads the mask, as sigprocmask(how, NULL, &old) does. The mask is
// the calling thread's: in a process with threads sigprocmask and
// pthread_sigmask(3) are the same rt_sigprocmask system call.
napi_value Sigprocmask(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int how;
  if (!Args(env, info, argv) || !ArgInt(env, argv[0], "how", &how))
    return nullptr;
  sigset_t set, old;
  bool has_set = !IsNullish(env, argv[1]);
  if (has_set && !ArgSigset(env, argv[1], "set", &set)) return nullptr;
  if (sigprocmask(how, has_set ? &set : nullptr, &old) == -1)
    return ResultOrErrno(env, -1);
  return SigsetToJs(env, old);
}

napi_value Uint64(napi_env env, uint64_t v) {
  napi_value out;
  napi_create_bigint_uint64(env, v, &out);
  return out;
}

// signalfd_siginfo(buf, offset = 0) -> the struct signalfd_siginfo at
// buf[offset], decoded with the header's own layout.
napi_value SignalfdSiginfo(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int64_t offset;
  uint8_t* p;
  size_t len;
  if (!Args(env, info, argv) ||
      !ArgOptionalInteger(env, argv[1], "offset", 0, INT32_MAX, 0, &offset) ||
      !ArgBytes(env, argv[0], "buf", &p, &len))
    return nullptr;
  if (len < sizeof(signalfd_siginfo) ||
      static_cast<size_t>(offset) > len - sizeof(signalfd_siginfo)) {
    ThrowRangeError(env,
                    "Argument 'buf' holds %zu bytes; a signalfd_siginfo at "
                    "offset %lld needs %zu",
                    len, static_cast<long long>(offset),
                    static_cast<size_t>(offset) + sizeof(signalfd_siginfo));
    return nullptr;
  }
  signalfd_siginfo si;
  memcpy(&si, p + offset, sizeof si);
  napi_value o;
  napi_create_object(env, &o);
  SetInt(env, o, "ssi_signo", si.ssi_signo);
  SetInt(env, o, "ssi_errno", si.ssi_errno);
  SetInt(env, o, "ssi_code", si.ssi_code);
  SetInt(env, o, "ssi_pid", si.ssi_pid);
  SetInt(env, o, "ssi_uid", si.ssi_uid);
  SetInt(env, o, "ssi_fd", si.ssi_fd);
  SetInt(env, o, "ssi_tid", si.ssi_tid);
  SetInt(env, o, "ssi_band", si.ssi_band);
  SetInt(env, o, "ssi_overrun", si.ssi_overrun);
  SetInt(env, o, "ssi_trapno", si.ssi_trapno);
  SetInt(env, o, "ssi_status", si.ssi_status);
  SetInt(env, o, "ssi_int", si.ssi_int);
  napi_set_named_property(env, o, "ssi_ptr", Uint64(env, si.ssi_ptr));
  napi_set_named_property(env, o, "ssi_utime", Uint64(env, si.ssi_utime));
  napi_set_named_property(env, o, "ssi_stime", Uint64(env, si.ssi_stime));
  napi_set_named_property(env, o, "ssi_addr", Uint64(env, si.ssi_addr));
  SetInt(env, o, "ssi_addr_lsb", si.ssi_addr_lsb);
  SetInt(env, o, "ssi_syscall", si.ssi_syscall);
  napi_set_named_property(env, o, "ssi_call_addr",
                          Uint64(env, si.ssi_call_addr));
  SetInt(env, o, "ssi_arch", si.ssi_arch);
  return o;
}

// gettid(2): the calling thread's id (the pid, on the main thread). Made
// directly, since glibc's wrapper arrived only in 2.30.
napi_value Gettid(napi_env env, napi_callback_info info) {
  return Int(env, syscall(SYS_gettid));
}

// tgkill(tgid, tid, sig) -> 0 or -errno: a signal for one thread of one
// process, which only that thread can take (or read from its signalfd).
napi_value Tgkill(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int tgid, tid, sig;
  if (!Args(env, info, argv) || !ArgInt(env, argv[0], "tgid", &tgid) ||
      !ArgInt(env, argv[1], "tid", &tid) || !ArgInt(env, argv[2], "sig", &sig))
    return nullptr;
  return ResultOrErrno(env, syscall(SYS_tgkill, tgid, tid, sig));
}

}  // namespace

void InitSignalfd(napi_env env, napi_value exports) {
  SetFunction(env, exports, "signalfd", Signalfd);
  SetFunction(env, exports, "sigprocmask", Sigprocmask);
  SetFunction(env, exports, "signalfd_siginfo", SignalfdSiginfo);
  SetFunction(env, exports, "gettid", Gettid);
  SetFunction(env, exports, "tgkill", Tgkill);
}

}  // namespace ps
