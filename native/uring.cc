// io_uring_setup(2), io_uring_enter(2), io_uring_register(2): the three
// system calls, one call each, against the kernel's <linux/io_uring.h>.
//
// None of them lets JS hand the kernel an address. io_uring_setup's params
// are copied field by field (a flag such as IORING_SETUP_NO_MMAP that would
// make the kernel use addresses of the caller's finds only zeros);
// io_uring_enter passes no signal mask or extended argument; and
// io_uring_register builds each argument it knows natively (an fd array, a
// probe) and passes NULL for any other opcode. The ring object
// (uring_ring.cc) is how a program maps rings and submits SQEs.
#include "uring.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "object.h"

namespace ps {

namespace {

const char kParams[] = "params";

bool U32Field(napi_env env, napi_value obj, const char* key, uint32_t* out) {
  int64_t v;
  if (!OptionalIntField(env, obj, kParams, key, 0, UINT32_MAX, *out, &v))
    return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

}  // namespace

bool ParamsFromJs(napi_env env, napi_value obj, io_uring_params* p) {
  memset(p, 0, sizeof *p);
  if (IsNullish(env, obj)) return true;
  if (!IsObject(env, obj)) {
    ThrowTypeError(env, "Expected argument 'params' to be an object");
    return false;
  }
  return U32Field(env, obj, "flags", &p->flags) &&
         U32Field(env, obj, "sq_thread_cpu", &p->sq_thread_cpu) &&
         U32Field(env, obj, "sq_thread_idle", &p->sq_thread_idle) &&
         U32Field(env, obj, "cq_entries", &p->cq_entries) &&
         U32Field(env, obj, "wq_fd", &p->wq_fd);
}

// What the kernel filled in: the sizes, the features and the ring offsets.
void ParamsToJs(napi_env env, napi_value obj, const io_uring_params& p) {
  if (!IsObject(env, obj)) return;
  SetInt(env, obj, "sq_entries", p.sq_entries);
  SetInt(env, obj, "cq_entries", p.cq_entries);
  SetInt(env, obj, "features", p.features);
  napi_value sq, cq;
  napi_create_object(env, &sq);
  napi_create_object(env, &cq);
  SetInt(env, sq, "head", p.sq_off.head);
  SetInt(env, sq, "tail", p.sq_off.tail);
  SetInt(env, sq, "ring_mask", p.sq_off.ring_mask);
  SetInt(env, sq, "ring_entries", p.sq_off.ring_entries);
  SetInt(env, sq, "flags", p.sq_off.flags);
  SetInt(env, sq, "dropped", p.sq_off.dropped);
  SetInt(env, sq, "array", p.sq_off.array);
  SetInt(env, cq, "head", p.cq_off.head);
  SetInt(env, cq, "tail", p.cq_off.tail);
  SetInt(env, cq, "ring_mask", p.cq_off.ring_mask);
  SetInt(env, cq, "ring_entries", p.cq_off.ring_entries);
  SetInt(env, cq, "overflow", p.cq_off.overflow);
  SetInt(env, cq, "cqes", p.cq_off.cqes);
  SetInt(env, cq, "flags", p.cq_off.flags);
  napi_set_named_property(env, obj, "sq_off", sq);
  napi_set_named_property(env, obj, "cq_off", cq);
}

namespace {}  // namespace

bool ArgSetup(napi_env env, napi_callback_info info, napi_value (&argv)[2],
              unsigned* entries, io_uring_params* p) {
  int64_t n;
  if (!Args(env, info, argv) ||
      !ArgInteger(env, argv[0], "entries", 0, UINT32_MAX, &n) ||
      !ParamsFromJs(env, argv[1], p))
    return false;
  *entries = static_cast<unsigned>(n);
  return true;
}

namespace {

// io_uring_setup(entries, params) -> fd; params is value-result as in C.
napi_value Setup(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  unsigned entries;
  io_uring_params p;
  if (!ArgSetup(env, info, argv, &entries, &p)) return nullptr;
  long fd = syscall(__NR_io_uring_setup, entries, &p);
  if (fd < 0) return ResultOrErrno(env, fd);
  ParamsToJs(env, argv[1], p);
  return Int(env, fd);
}

// io_uring_enter(fd, to_submit, min_complete, flags): no sigmask, and so
// no IORING_ENTER_EXT_ARG argument either (the kernel refuses that flag
// with a zero argsz).
napi_value Enter(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  int64_t to_submit, min_complete;
  uint32_t flags;
  if (!ArgInt(env, argv[0], "fd", &fd) ||
      !ArgInteger(env, argv[1], "to_submit", 0, UINT32_MAX, &to_submit) ||
      !ArgInteger(env, argv[2], "min_complete", 0, UINT32_MAX, &min_complete) ||
      !ArgFlags(env, argv[3], "flags", 0, &flags))
    return nullptr;
  return ResultOrErrno(env, RetryOnEintr([&] {
                         return syscall(__NR_io_uring_enter, fd, to_submit,
                                        min_complete, flags, nullptr, 0);
                       }));
}

// An array of fds (Int32Array or number[]) copied into `out`, which the
// caller frees.
bool ArgFdArray(napi_env env, napi_value v, const char* name, int32_t** out,
                uint32_t* count) {
  bool is_array = false;
  napi_is_array(env, v, &is_array);
  if (!is_array) {
    ThrowTypeError(
        env, "Expected argument '%s' to be an array of fds (numbers)", name);
    return false;
  }
  uint32_t n = 0;
  napi_get_array_length(env, v, &n);
  int32_t* fds = static_cast<int32_t*>(calloc(n ? n : 1, sizeof(int32_t)));
  if (fds == nullptr) return false;
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    char field[32];
    snprintf(field, sizeof field, "%s[%u]", name, i);
    if (napi_get_element(env, v, i, &e) != napi_ok ||
        !ArgInt(env, e, field, &fds[i])) {
      free(fds);
      return false;
    }
  }
  *out = fds;
  *count = n;
  return true;
}

// The probe as an object: { last_op, ops_len, ops: flags by opcode }.
void ProbeToJs(napi_env env, napi_value obj, const io_uring_probe* p) {
  if (!IsObject(env, obj)) return;
  SetInt(env, obj, "last_op", p->last_op);
  SetInt(env, obj, "ops_len", p->ops_len);
  napi_value ops;
  napi_create_array_with_length(env, p->ops_len, &ops);
  for (uint32_t i = 0; i < p->ops_len; i++) {
    napi_value f;
    napi_create_uint32(env, p->ops[i].flags, &f);
    napi_set_element(env, ops, p->ops[i].op, f);
  }
  napi_set_named_property(env, obj, "ops", ops);
}

// io_uring_register(fd, opcode, arg, nr_args). The argument each opcode
// takes, built here: FILES an array of fds (-1 a sparse slot); FILES2 a
// { nr, flags } io_uring_rsrc_register (no data: IORING_RSRC_REGISTER_SPARSE
// registers nr empty slots); FILES_UPDATE { offset, fds }; EVENTFD and
// EVENTFD_ASYNC an eventfd; PROBE an object filled as the struct is. Any
// other opcode gets NULL (arg must be null): those taking addresses, such as
// PBUF_RING, go through the ring object, which owns the memory they name.
napi_value Register(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  int64_t opcode, nr_args;
  if (!ArgInt(env, argv[0], "fd", &fd) ||
      !ArgInteger(env, argv[1], "opcode", 0, UINT32_MAX, &opcode) ||
      !ArgOptionalInteger(env, argv[3], "nr_args", 0, UINT32_MAX, -1, &nr_args))
    return nullptr;
  const char* name = "arg";
  long r;
  switch (opcode) {
    case IORING_REGISTER_FILES: {
      int32_t* fds;
      uint32_t n;
      if (!ArgFdArray(env, argv[2], name, &fds, &n)) return nullptr;
      if (nr_args > n) {
        free(fds);
        ThrowRangeError(env, "Argument 'nr_args' is %lld, past arg's %u fds",
                        static_cast<long long>(nr_args), n);
        return nullptr;
      }
      r = syscall(__NR_io_uring_register, fd, opcode, fds,
                  nr_args < 0 ? n : nr_args);
      int e = errno;
      free(fds);
      errno = e;
      break;
    }
    case IORING_REGISTER_FILES2: {
      io_uring_rsrc_register reg = {};
      int64_t nr, flags;
      if (!IsObject(env, argv[2])) {
        ThrowTypeError(env, "Expected argument 'arg' to be an object");
        return nullptr;
      }
      if (!IntField(env, argv[2], name, "nr", 0, UINT32_MAX, &nr) ||
          !OptionalIntField(env, argv[2], name, "flags", 0, UINT32_MAX, 0,
                            &flags))
        return nullptr;
      reg.nr = static_cast<uint32_t>(nr);
      reg.flags = static_cast<uint32_t>(flags);
      r = syscall(__NR_io_uring_register, fd, opcode, &reg,
                  nr_args < 0 ? sizeof reg : nr_args);
      break;
    }
    case IORING_REGISTER_FILES_UPDATE: {
      int64_t offset;
      napi_value fds_v;
      if (!IsObject(env, argv[2])) {
        ThrowTypeError(env, "Expected argument 'arg' to be an object");
        return nullptr;
      }
      if (!IntField(env, argv[2], name, "offset", 0, UINT32_MAX, &offset) ||
          !GetField(env, argv[2], "fds", &fds_v))
        return nullptr;
      int32_t* fds;
      uint32_t n;
      if (!ArgFdArray(env, fds_v, "arg.fds", &fds, &n)) return nullptr;
      if (nr_args > n) {
        free(fds);
        ThrowRangeError(env, "Argument 'nr_args' is %lld, past arg.fds's %u",
                        static_cast<long long>(nr_args), n);
        return nullptr;
      }
      io_uring_files_update up = {};
      up.offset = static_cast<uint32_t>(offset);
      up.fds = reinterpret_cast<uintptr_t>(fds);
      r = syscall(__NR_io_uring_register, fd, opcode, &up,
                  nr_args < 0 ? n : nr_args);
      int e = errno;
      free(fds);
      errno = e;
      break;
    }
    case IORING_REGISTER_EVENTFD:
    case IORING_REGISTER_EVENTFD_ASYNC: {
      int efd;
      if (!ArgInt(env, argv[2], "arg", &efd)) return nullptr;
      r = syscall(__NR_io_uring_register, fd, opcode, &efd,
                  nr_args < 0 ? 1 : nr_args);
      break;
    }
    case IORING_REGISTER_PROBE: {
      // 256 ops: every opcode a u8 can name.
      size_t size = sizeof(io_uring_probe) + 256 * sizeof(io_uring_probe_op);
      auto* p = static_cast<io_uring_probe*>(calloc(1, size));
      if (p == nullptr) return Int(env, -ENOMEM);
      r = syscall(__NR_io_uring_register, fd, opcode, p,
                  nr_args < 0 || nr_args > 256 ? 256 : nr_args);
      int e = errno;
      if (r >= 0) ProbeToJs(env, argv[2], p);
      free(p);
      errno = e;
      break;
    }
    default:
      if (!IsNullish(env, argv[2])) {
        ThrowTypeError(env,
                       "Argument 'arg' of io_uring_register opcode %lld must "
                       "be null: this binding passes NULL for opcodes whose "
                       "argument it does not build",
                       static_cast<long long>(opcode));
        return nullptr;
      }
      r = syscall(__NR_io_uring_register, fd, opcode, nullptr,
                  nr_args < 0 ? 0 : nr_args);
  }
  return ResultOrErrno(env, r);
}

}  // namespace

void InitUring(napi_env env, napi_value exports) {
  SetFunction(env, exports, "io_uring_setup", Setup);
  SetFunction(env, exports, "io_uring_enter", Enter);
  SetFunction(env, exports, "io_uring_register", Register);
}

}  // namespace ps
