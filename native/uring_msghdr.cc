// sendmsg and recvmsg through the ring (IORING_OP_SENDMSG, IORING_OP_RECVMSG):
// the msghdr JS wrote in an arena, with arena references where C has
// pointers (msg_name, msg_iov, each iov_base, msg_control), checked field
// by field and rebuilt with real addresses in a MsgSlot (uring.h) that no
// JS view covers.
//
// Why a slot of the ring's own rather than the caller's msghdr: the kernel
// reads the msghdr and its iovec array through the pointer in the SQE. Since
// Linux 6.10 it copies them while the SQE is submitted (io_sendmsg_prep ->
// io_msg_copy_hdr, in io_uring_enter), but older kernels copy them when the
// operation is issued, which for IOSQE_ASYNC, a linked SQE or an io-wq
// retry is after io_uring_enter has returned and JS runs again. And a
// recvmsg, when it completes, writes msg_namelen, msg_controllen and
// msg_flags back through that pointer, reading msg_namelen again as the
// room for the sender's address (move_addr_to_user). Were that msghdr JS's,
// JS could rewrite a checked field in between. The slot lives until the
// operation's final CQE, whatever the kernel version.
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>

#include "uring_check.h"

namespace ps {

namespace {

// lib/uring-msg.ts reads and writes struct msghdr and struct iovec at these
// offsets (64-bit Linux, where pointers and size_t are 8 bytes).
static_assert(sizeof(msghdr) == 56 && offsetof(msghdr, msg_namelen) == 8 &&
                  offsetof(msghdr, msg_iov) == 16 &&
                  offsetof(msghdr, msg_iovlen) == 24 &&
                  offsetof(msghdr, msg_control) == 32 &&
                  offsetof(msghdr, msg_controllen) == 40 &&
                  offsetof(msghdr, msg_flags) == 48 && sizeof(iovec) == 16,
              "struct msghdr as lib/uring-msg.ts lays it out");
static_assert(sizeof(io_uring_recvmsg_out) == 16,
              "struct io_uring_recvmsg_out as lib/uring-msg.ts reads it");

// UIO_MAXIOV: the kernel refuses a longer iovec array (EMSGSIZE); the
// ring refuses it before copying it.
constexpr uint64_t kMaxIov = 1024;

uint64_t Ref(const void* p) { return reinterpret_cast<uintptr_t>(p); }
void* Ptr(__u64 a) {
  return reinterpret_cast<void*>(static_cast<uintptr_t>(a));
}

}  // namespace

bool Checker::Msg(const io_uring_sqe& in, io_uring_sqe* out, bool select) {
  bool recv = in.opcode == IORING_OP_RECVMSG;
  char msg[160];
  uint16_t prio = IORING_RECVSEND_POLL_FIRST;
  if (recv && select) prio |= IORING_RECV_MULTISHOT;
  if (!Bits("ioprio", in.ioprio, prio)) return false;
  if (select && !recv)
    return Fail("IOSQE_BUFFER_SELECT: sendmsg takes no provided buffer");
  // The CQE finds its slot by user_data, so two in flight cannot share one.
  if (ring->msg_ops.count(in.user_data)) {
    snprintf(msg, sizeof msg,
             "user_data %llu is that of a sendmsg or recvmsg still in flight; "
             "each needs its own",
             static_cast<unsigned long long>(in.user_data));
    return Fail(msg);
  }
  __u64 at;
  if (!Buffer("addr (the msghdr)", in.addr, sizeof(msghdr), false, &at))
    return false;
  msghdr m;
  memcpy(&m, Ptr(at), sizeof m);  // read once: the checks and the use agree
  if (m.msg_iovlen > kMaxIov) {
    snprintf(msg, sizeof msg, "msg_iovlen %zu is more than %llu (UIO_MAXIOV)",
             static_cast<size_t>(m.msg_iovlen),
             static_cast<unsigned long long>(kMaxIov));
    return Fail(msg);
  }
  // With a provided buffer, the kernel takes only the length of iov[0].
  if (select && m.msg_iovlen > 1) {
    snprintf(msg, sizeof msg,
             "msg_iovlen %zu: with IOSQE_BUFFER_SELECT it is 0 or 1",
             static_cast<size_t>(m.msg_iovlen));
    return Fail(msg);
  }
  auto slot = std::make_unique<MsgSlot>();
  size_t n = m.msg_iovlen;
  slot->iov.resize(n);
  __u64 p;
  if (!Buffer("msg_iov", Ref(m.msg_iov), n * sizeof(iovec), n == 0, &p))
    return false;
  if (n > 0) memcpy(slot->iov.data(), Ptr(p), n * sizeof(iovec));
  for (size_t i = 0; i < n; i++) {
    iovec& v = slot->iov[i];
    char field[48];
    snprintf(field, sizeof field, "msg_iov[%zu].iov_base", i);
    if (select) {
      if (v.iov_base != nullptr) {
        snprintf(msg, sizeof msg, "%s must be 0 with IOSQE_BUFFER_SELECT",
                 field);
        return Fail(msg);
      }
      continue;
    }
    if (!Buffer(field, Ref(v.iov_base), v.iov_len, v.iov_len == 0, &p))
      return false;
    v.iov_base = Ptr(p);
  }
  // A null name or control is NULL to the kernel, whatever its length says.
  if (!Buffer("msg_name", Ref(m.msg_name), m.msg_namelen, true, &p))
    return false;
  slot->hdr.msg_name = Ptr(p);
  if (!Buffer("msg_control", Ref(m.msg_control), m.msg_controllen, true, &p))
    return false;
  slot->hdr.msg_control = Ptr(p);
  slot->hdr.msg_namelen = m.msg_namelen;
  slot->hdr.msg_controllen = m.msg_controllen;
  slot->hdr.msg_iov = n > 0 ? slot->iov.data() : nullptr;
  slot->hdr.msg_iovlen = n;
  slot->hdr.msg_flags = m.msg_flags;
  // Only a single-shot recvmsg writes its results into the msghdr.
  slot->recv = recv && !(in.ioprio & IORING_RECV_MULTISHOT);
  slot->user_data = in.user_data;
  slot->arena = ArenaRefIndex(in.addr);
  slot->offset = ArenaRefOffset(in.addr);
  out->ioprio = in.ioprio;
  out->len = in.len;
  out->msg_flags = in.msg_flags;
  out->addr = reinterpret_cast<uintptr_t>(&slot->hdr);
  out->user_data = in.user_data | kMsgTag;
  MsgSlot* s = slot.release();
  ring->msg_ops.emplace(s->user_data, s);
  batch.push_back(s);
  return true;
}

void Checker::Rollback() {
  for (MsgSlot* s : batch) {
    ring->msg_ops.erase(s->user_data);
    delete s;
  }
  batch.clear();
}

void MsgComplete(Ring* r, io_uring_cqe* c) {
  uint64_t ud = c->user_data & ~kMsgTag;
  c->user_data = ud;
  if (c->flags & IORING_CQE_F_MORE) return;  // a multishot recvmsg goes on
  auto it = r->msg_ops.find(ud);
  if (it == r->msg_ops.end()) return;
  MsgSlot* s = it->second;
  r->msg_ops.erase(it);
  if (s->recv && s->arena < r->arenas.size()) {
    // The results, into the caller's msghdr (checked inside its arena at
    // submission; arenas never shrink).
    auto* h = static_cast<uint8_t*>(r->arenas[s->arena]->base) + s->offset;
    memcpy(h + offsetof(msghdr, msg_namelen), &s->hdr.msg_namelen,
           sizeof s->hdr.msg_namelen);
    memcpy(h + offsetof(msghdr, msg_controllen), &s->hdr.msg_controllen,
           sizeof s->hdr.msg_controllen);
    memcpy(h + offsetof(msghdr, msg_flags), &s->hdr.msg_flags,
           sizeof s->hdr.msg_flags);
  }
  delete s;
}

void MsgFreeAll(Ring* r) {
  // Not quiesced: an operation may still read its slot, which then stays
  // allocated for the life of the process, as the arenas do.
  if (r->quiesced)
    for (auto& e : r->msg_ops) delete e.second;
  r->msg_ops.clear();
  RegBufsRelease(r);
}

}  // namespace ps
