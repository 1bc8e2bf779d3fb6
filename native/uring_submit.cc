// uringSubmit: the staged SQEs checked, translated into the kernel's SQE
// array, and one io_uring_enter(2) for the batch.
//
// Each SQE is rebuilt from scratch rather than checked and copied: only the
// fields its opcode means are carried over, and every other byte of the
// kernel's SQE is zero. So a field a newer kernel reads as an address (an
// ioprio bit that makes addr an iovec array, say) cannot be smuggled
// through: an opcode not in the table below, or a flag outside what the
// table allows, is refused. A buffer is named by ArenaRef (uring.h) and must
// lie wholly inside its arena; it becomes a real address only here. A
// sendmsg or recvmsg gets a msghdr of the ring's own (uring_msghdr.cc), and
// a fixed buffer must lie inside the registered buffer it names
// (uring_fixed.cc).
//
// The batch is all or nothing: any refused SQE is a RangeError naming it,
// and then no SQE of the batch reaches the kernel.
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "uring_check.h"

namespace ps {

namespace {

// IORING_ACCEPT_DONTWAIT and IORING_ACCEPT_POLL_FIRST are Linux 6.10; the
// header this builds against (6.1) may lack them.
constexpr uint16_t kAcceptPrio =
    IORING_ACCEPT_MULTISHOT | (1u << 1) | (1u << 2);
// IORING_TIMEOUT_MULTISHOT is Linux 6.4.
constexpr uint32_t kTimeoutFlags =
    IORING_TIMEOUT_ABS | IORING_TIMEOUT_BOOTTIME | IORING_TIMEOUT_REALTIME |
    IORING_TIMEOUT_ETIME_SUCCESS | (1u << 6);
// Not IOSQE_CQE_SKIP_SUCCESS: an operation that ends without a CQE could
// not be counted as ended (uring.h).
constexpr uint8_t kSqeFlags = IOSQE_FIXED_FILE | IOSQE_IO_DRAIN |
                              IOSQE_IO_LINK | IOSQE_IO_HARDLINK | IOSQE_ASYNC |
                              IOSQE_BUFFER_SELECT;
// The largest socket address the kernel copies (sizeof sockaddr_storage):
// accept writes at most this much, whatever *addrlen says.
constexpr uint64_t kSockaddrMax = sizeof(sockaddr_storage);

}  // namespace

bool Checker::Fail(const char* what) {
  ThrowRangeError(env, "sqe[%u] (opcode %u): %s", index, opcode, what);
  return false;
}

bool Checker::Buffer(const char* field, uint64_t ref, uint64_t len,
                     bool nullable, __u64* out) {
  char msg[192];
  if (ref == 0) {
    if (nullable) {
      *out = 0;
      return true;
    }
    snprintf(msg, sizeof msg, "%s is null; it must name an arena", field);
    return Fail(msg);
  }
  uint32_t a = ArenaRefIndex(ref), off = ArenaRefOffset(ref);
  if (a >= ring->arenas.size()) {
    snprintf(msg, sizeof msg, "%s names arena %u; the ring has %zu", field, a,
             ring->arenas.size());
    return Fail(msg);
  }
  const Mem* m = ring->arenas[a];
  if (off > m->size || len > m->size - off) {
    snprintf(msg, sizeof msg,
             "%s: [%u, %llu) passes the end of arena %u (%zu bytes)", field,
             off, static_cast<unsigned long long>(off + len), a, m->size);
    return Fail(msg);
  }
  *out = reinterpret_cast<uintptr_t>(static_cast<uint8_t*>(m->base) + off);
  return true;
}

bool Checker::Bits(const char* field, uint64_t value, uint64_t allowed) {
  if ((value & ~allowed) == 0) return true;
  char msg[128];
  snprintf(msg, sizeof msg, "%s 0x%llx has bits this ring refuses (0x%llx)",
           field, static_cast<unsigned long long>(value),
           static_cast<unsigned long long>(value & ~allowed));
  return Fail(msg);
}

bool Checker::Translate(const io_uring_sqe& in, io_uring_sqe* out) {
  opcode = in.opcode;
  out->opcode = in.opcode;
  out->flags = in.flags;
  out->fd = in.fd;
  out->user_data = in.user_data;
  if (!Bits("flags", in.flags, kSqeFlags)) return false;
  // Bit 63 marks, for the kernel, the user_data of a sendmsg or recvmsg
  // (uring.h): no other SQE may carry it.
  if (in.user_data & kMsgTag)
    return Fail("user_data has bit 63 set; the ring keeps it for its own use");
  bool select = in.flags & IOSQE_BUFFER_SELECT;
  if (select) out->buf_group = in.buf_group;
  switch (in.opcode) {
    case IORING_OP_NOP:
      return true;
    case IORING_OP_READ:
    case IORING_OP_WRITE:
    case IORING_OP_RECV:
    case IORING_OP_SEND:
    case IORING_OP_SEND_ZC: {
      bool is_rw = in.opcode == IORING_OP_READ || in.opcode == IORING_OP_WRITE;
      uint16_t prio = IORING_RECVSEND_POLL_FIRST;
      if (in.opcode == IORING_OP_RECV) prio |= IORING_RECV_MULTISHOT;
      // A bundle takes several provided buffers: only with buffer select,
      // where the kernel picks them from a checked buffer ring.
      if (select &&
          (in.opcode == IORING_OP_RECV || in.opcode == IORING_OP_SEND))
        prio |= IORING_RECVSEND_BUNDLE;
      // IORING_SEND_ZC_REPORT_USAGE is Linux 6.2.
      if (in.opcode == IORING_OP_SEND_ZC)
        prio |= (1u << 3) | IORING_RECVSEND_FIXED_BUF;
      if (is_rw) {
        out->ioprio = in.ioprio;  // an I/O priority, not flags
        out->off = in.off;
        out->rw_flags = in.rw_flags;
      } else {
        if (!Bits("ioprio", in.ioprio, prio)) return false;
        out->ioprio = in.ioprio;
        out->msg_flags = in.msg_flags;
      }
      out->len = in.len;
      if (select) {
        // The kernel picks the buffer from the group's ring, whose
        // addresses only uringBufRingAdvance writes.
        if (in.addr != 0)
          return Fail("addr must be 0 with IOSQE_BUFFER_SELECT");
        if (in.opcode == IORING_OP_SEND_ZC &&
            (in.ioprio & IORING_RECVSEND_FIXED_BUF))
          return Fail("IORING_RECVSEND_FIXED_BUF with IOSQE_BUFFER_SELECT");
        return true;
      }
      if (in.opcode == IORING_OP_SEND_ZC &&
          (in.ioprio & IORING_RECVSEND_FIXED_BUF)) {
        if (!Fixed(in, out)) return false;
      } else if (!Buffer("addr", in.addr, in.len, false, &out->addr)) {
        return false;
      }
      if (in.opcode == IORING_OP_SEND_ZC) {
        out->addr_len = in.addr_len;
        return Buffer("addr2", in.addr2, in.addr_len, true, &out->addr2);
      }
      return true;
    }
    case IORING_OP_READ_FIXED:
    case IORING_OP_WRITE_FIXED:
      if (select) return Fail("IOSQE_BUFFER_SELECT with a fixed buffer");
      out->ioprio = in.ioprio;
      out->off = in.off;
      out->rw_flags = in.rw_flags;
      out->len = in.len;
      return Fixed(in, out);
    case IORING_OP_SENDMSG:
    case IORING_OP_RECVMSG:
      return Msg(in, out, select);
    case IORING_OP_ACCEPT:
      if (!Bits("ioprio", in.ioprio, kAcceptPrio)) return false;
      out->ioprio = in.ioprio;
      out->accept_flags = in.accept_flags;
      out->file_index = in.file_index;
      return Buffer("addr", in.addr, kSockaddrMax, true, &out->addr) &&
             Buffer("addr2", in.addr2, sizeof(socklen_t), true, &out->addr2);
    case IORING_OP_CONNECT:
      out->off = in.off;  // addrlen, a value
      return Buffer("addr", in.addr, in.off, false, &out->addr);
    case IORING_OP_TIMEOUT:
    case IORING_OP_LINK_TIMEOUT:
      if (!Bits("timeout_flags", in.timeout_flags, kTimeoutFlags)) return false;
      out->timeout_flags = in.timeout_flags;
      out->len = in.len;
      out->off = in.off;  // a completion count, a value
      return Buffer("addr", in.addr, sizeof(__kernel_timespec), false,
                    &out->addr);
    case IORING_OP_TIMEOUT_REMOVE:
      // IORING_TIMEOUT_UPDATE would read a timespec from addr2: refused.
      if (!Bits("timeout_flags", in.timeout_flags, 0)) return false;
      out->addr = in.addr;  // the user_data of the timeout, a value
      return true;
    case IORING_OP_ASYNC_CANCEL:
      out->addr = in.addr;  // a user_data to match, a value
      out->len = in.len;
      out->cancel_flags = in.cancel_flags;
      // A sendmsg or recvmsg in flight carries user_data | kMsgTag in the
      // kernel: a cancel by its user_data is pointed at it.
      if (!(in.cancel_flags &
            (IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ANY)) &&
          ring->msg_ops.count(in.addr))
        out->addr = in.addr | kMsgTag;
      return true;
    case IORING_OP_POLL_ADD:
    case IORING_OP_POLL_REMOVE:
      // POLL_REMOVE with IORING_POLL_UPDATE_USER_DATA gives the poll a new
      // user_data: it too must leave bit 63 to the ring, or the poll's CQE
      // would be taken for a sendmsg's or recvmsg's (and free its slot).
      if (in.off & kMsgTag)
        return Fail("off (a new user_data) has bit 63 set; the ring keeps it");
      out->addr = in.addr;  // POLL_REMOVE: the user_data to match
      out->off = in.off;    // POLL_REMOVE with UPDATE: the new user_data
      out->len = in.len;    // IORING_POLL_* flags
      out->poll32_events = in.poll32_events;
      return true;
    case IORING_OP_CLOSE:
      out->file_index = in.file_index;
      return true;
    case IORING_OP_SHUTDOWN:
      out->len = in.len;  // how
      return true;
    case IORING_OP_SOCKET:
      out->off = in.off;  // type
      out->len = in.len;  // protocol
      out->file_index = in.file_index;
      return true;
    default:
      return Fail("not an opcode this ring submits");
  }
}

void Reap(Ring* r, bool to_copy) {
  unsigned head = *r->cq_head;
  unsigned tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
  unsigned n = tail - head;
  auto* copy = static_cast<unsigned*>(r->cq_copy->base);
  auto* out = reinterpret_cast<io_uring_cqe*>(copy + 16);
  unsigned entries = r->params.cq_entries;
  if (to_copy) {
    // JS's head may be anything; a wrong one only costs JS its own CQEs.
    unsigned used = r->copy_tail - __atomic_load_n(&copy[1], __ATOMIC_ACQUIRE);
    unsigned room = used > entries ? 0 : entries - used;
    if (n > room) n = room;
  }
  for (unsigned i = 0; i < n; i++) {
    const io_uring_cqe& c = r->cqes[(head + i) & r->cq_mask];
    if (!(c.flags & IORING_CQE_F_MORE)) r->ended++;
    io_uring_cqe cqe = c;
    if (cqe.user_data & kMsgTag) MsgComplete(r, &cqe);
    if (to_copy) out[(r->copy_tail + i) & (entries - 1)] = cqe;
  }
  __atomic_store_n(r->cq_head, head + n, __ATOMIC_RELEASE);
  if (to_copy) {
    r->copy_tail += n;
    __atomic_store_n(&copy[0], r->copy_tail, __ATOMIC_RELEASE);
  }
}

// uringReap(ring) -> CQEs now in the copy for JS. First enters the kernel
// (GETEVENTS, no wait) when the SQ flags say it holds completions back: an
// overflowed CQ ring, or IORING_SETUP_TASKRUN_FLAG's pending work.
napi_value UringReap(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, argv)) return nullptr;
  Ring* r = ArgRing(env, argv[0]);
  if (r == nullptr) return nullptr;
  if (r->closed) return Int(env, -EBADF);
  unsigned flags = __atomic_load_n(r->sq_flags, __ATOMIC_ACQUIRE);
  if (flags & (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN))
    syscall(__NR_io_uring_enter, r->fd, 0, 0, IORING_ENTER_GETEVENTS, nullptr,
            0);
  Reap(r, true);
  auto* copy = static_cast<unsigned*>(r->cq_copy->base);
  return Int(env, r->copy_tail - __atomic_load_n(&copy[1], __ATOMIC_ACQUIRE));
}

bool SubmitStaged(napi_env env, Ring* r, unsigned count, unsigned min_complete,
                  unsigned flags, long* result) {
  unsigned entries = r->params.sq_entries;
  unsigned head = __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE);
  unsigned tail = *r->sq_tail;
  unsigned pending = tail - head;
  // Word 2 of the completion copy's header tells JS, after an EBUSY, whether
  // the batch is in the SQ ring (the kernel's EBUSY: the next enter takes
  // it) or was kept out (no room: JS keeps it staged).
  auto* header = static_cast<unsigned*>(r->cq_copy->base);
  if (count > entries - pending) {
    header[2] = 0;
    *result = -EBUSY;
    return true;
  }
  auto* staged = static_cast<const io_uring_sqe*>(r->staging->base);
  auto* sqes = static_cast<io_uring_sqe*>(r->sqes->base);
  Checker check{env, r};
  // First every SQE into place, checked; the tail moves only once all are.
  for (unsigned i = 0; i < count; i++) {
    io_uring_sqe* out = &sqes[(tail + i) & r->sq_mask];
    memset(out, 0, sizeof *out);
    check.index = i;
    // A copy first: JS cannot change the staging area during this call, but
    // reading each field once keeps the check and the use in agreement.
    io_uring_sqe in;
    memcpy(&in, &staged[i], sizeof in);
    if (!check.Translate(in, out)) {
      check.Rollback();  // the msghdr slots the batch took go back
      return false;
    }
  }
  __atomic_store_n(r->sq_tail, tail + count, __ATOMIC_RELEASE);
  if (min_complete > 0) flags |= IORING_ENTER_GETEVENTS;
  long n = RetryOnEintr([&] {
    return syscall(__NR_io_uring_enter, r->fd, pending + count, min_complete,
                   flags, nullptr, 0);
  });
  *result = n < 0 ? -errno : n;
  header[2] = n < 0 && count > 0 ? 1 : 0;
  return true;
}

// uringSubmit(ring, count, min_complete, flags) -> what io_uring_enter
// returned (SQEs consumed), or -errno. -EBUSY without entering when the SQ
// ring lacks room for `count` (the kernel still holds earlier SQEs).
napi_value UringSubmit(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!Args(env, info, argv)) return nullptr;
  Ring* r = ArgRing(env, argv[0]);
  int64_t count, min_complete;
  uint32_t flags;
  if (r == nullptr ||
      !ArgInteger(env, argv[1], "count", 0, UINT32_MAX, &count) ||
      !ArgInteger(env, argv[2], "min_complete", 0, UINT32_MAX, &min_complete) ||
      !ArgFlags(env, argv[3], "flags", 0, &flags))
    return nullptr;
  if (r->closed) return Int(env, -EBADF);
  unsigned entries = r->params.sq_entries;
  if (count > entries) {
    ThrowRangeError(env, "Argument 'count' is %lld; the ring has %u SQEs",
                    static_cast<long long>(count), entries);
    return nullptr;
  }
  // Enter flags that change what the arguments mean are refused:
  // IORING_ENTER_EXT_ARG (a pointer) and REGISTERED_RING (fd an index).
  uint32_t allowed =
      IORING_ENTER_GETEVENTS | IORING_ENTER_SQ_WAKEUP | IORING_ENTER_SQ_WAIT;
  if (flags & ~allowed) {
    ThrowRangeError(env, "Argument 'flags' 0x%x has bits this ring refuses",
                    flags);
    return nullptr;
  }
  long n;
  if (!SubmitStaged(env, r, static_cast<unsigned>(count),
                    static_cast<unsigned>(min_complete), flags, &n))
    return nullptr;
  // A wait reaps what it waited for, in the same call. A plain submit
  // leaves the CQEs in the kernel's ring, so that its fd stays readable for
  // a loop that polls it; peeking reaps them.
  if (min_complete > 0) Reap(r, true);
  return Int(env, n);
}

}  // namespace ps
