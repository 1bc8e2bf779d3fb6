// The io_uring ring object shared by uring_ring.cc (mmap, lifetime),
// uring_submit.cc (checking and translating SQEs, reaping CQEs) and
// uring_bufring.cc (provided-buffer rings).
//
// Safety rests on one rule: the kernel only ever sees addresses this file
// made. TypeScript writes SQEs into a staging area it owns, naming buffers by
// arena reference (see ArenaRef); uring_submit.cc rebuilds each SQE from the
// fields its opcode means, with real addresses, into the kernel's SQE array.
// No JS view covers any memory the kernel reads: CQEs are copied from the
// kernel's CQ ring into a JS-visible one as they are reaped (16 bytes each,
// in the call that entered the kernel anyway), which is also how the ring
// counts, from the kernel's own words, the operations still in flight. The
// memory the kernel may touch (arenas, buffer rings) is freed only once that
// count is zero AND no ArrayBuffer views it any more: each block is
// reference counted.
#ifndef POSIX_SOCKETS_URING_H_
#define POSIX_SOCKETS_URING_H_

#include <linux/io_uring.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common.h"
#include "uring_compat.h"

namespace ps {

// A block of memory that both the ring and ArrayBuffers may hold. Freed
// (munmap) when the last holder lets go; only touched on the ring's JS
// thread, since finalizers of an environment run on its thread.
struct Mem {
  void* base = nullptr;
  size_t size = 0;    // what was asked for: the bounds every check uses
  size_t mapped = 0;  // what was mapped (whole pages)
  int refs = 1;       // the ring's own
};
Mem* MemMap(size_t size);  // anonymous, zeroed, page-rounded; nullptr on error
Mem* MemAdopt(void* base, size_t size);  // a mapping made elsewhere
void MemRelease(Mem* m);
// An ArrayBuffer over [offset, offset + size) of `m`, holding a reference
// to `m` until it is collected. Node marks external ArrayBuffers
// untransferable, and the reference keeps the bytes alive even if one is
// detached.
napi_value MemView(napi_env env, Mem* m, size_t offset, size_t size);

// A registered provided-buffer ring (IORING_REGISTER_PBUF_RING): the kernel
// reads `ring` (addresses), JS writes `staging` (arena offsets) and
// uringBufRingAdvance copies checked entries from one to the other.
struct BufRing {
  uint16_t bgid = 0;
  uint32_t entries = 0;
  uint32_t arena = 0;  // the arena whose offsets `staging` holds
  uint16_t tail = 0;   // what the kernel was last given
  Mem* ring = nullptr;
  Mem* staging = nullptr;
};

// A sendmsg or recvmsg in flight: the msghdr and iovec array the kernel was
// given, translated, in memory no JS view covers. The kernel reads them at
// submission in current kernels and, in older ones (or for an io-wq retry),
// later; and recvmsg writes msg_namelen, msg_controllen and msg_flags back
// into this msghdr when it completes (reading msg_namelen again as the
// room for the name). So the slot lives until the operation's final CQE,
// which copies those three fields into the caller's msghdr in its arena
// (uring_msghdr.cc). Keyed by the SQE's user_data: the kernel sees
// user_data | kMsgTag, which names the slot again when the CQE comes back.
struct MsgSlot {
  msghdr hdr = {};
  std::vector<iovec> iov;
  uint64_t user_data = 0;
  bool recv = false;
  uint32_t arena = 0;  // where the caller's msghdr lies, for the copy back
  uint32_t offset = 0;
};
constexpr uint64_t kMsgTag = 1ull << 63;

// A buffer registered with IORING_REGISTER_BUFFERS: a range of an arena,
// whose Mem the ring holds a reference to while registered.
struct RegBuf {
  uint32_t arena = 0;
  uint32_t offset = 0;
  uint32_t len = 0;
};

struct Ring {
  napi_env env = nullptr;
  // The ring's own fd, for every call made here, and a dup handed to JS
  // (io_uring_register, polling): JS may close its fd, and the number be
  // reused, without this ring ever acting on another file.
  int fd = -1;
  int user_fd = -1;
  dev_t user_dev = 0;
  ino_t user_ino = 0;
  io_uring_params params = {};
  Mem* rings = nullptr;    // SQ and CQ rings (IORING_FEAT_SINGLE_MMAP)
  Mem* cq = nullptr;       // the CQ ring when mapped on its own
  Mem* sqes = nullptr;     // the kernel's SQE array: never viewed from JS
  Mem* staging = nullptr;  // JS's SQEs, sq_entries of them
  unsigned* sq_head = nullptr;
  unsigned* sq_tail = nullptr;
  unsigned* sq_array = nullptr;
  unsigned* sq_flags = nullptr;
  unsigned sq_mask = 0;
  // The kernel's CQ ring, read only here, and the copy JS reads: word 0 its
  // tail (written here), word 1 its head (written by JS), CQEs from byte 64.
  unsigned* cq_head = nullptr;
  unsigned* cq_tail = nullptr;
  const io_uring_cqe* cqes = nullptr;
  unsigned cq_mask = 0;
  Mem* cq_copy = nullptr;
  unsigned copy_tail = 0;
  // In flight = SQEs the kernel took (its SQ head) less the CQEs that ended
  // an operation (no IORING_CQE_F_MORE). Every SQE the ring lets through
  // ends in exactly one such CQE (IOSQE_CQE_SKIP_SUCCESS is refused).
  unsigned last_sq_head = 0;
  uint64_t consumed = 0;
  uint64_t ended = 0;
  std::vector<Mem*> arenas;
  std::vector<BufRing> buf_rings;
  std::unordered_map<uint64_t, MsgSlot*> msg_ops;  // by the caller's user_data
  std::vector<RegBuf> reg_bufs;
  // Every ArrayBuffer handed to JS, detached when the ring is closed so that
  // closing frees the memory at once rather than at the next collection.
  std::vector<napi_ref> views;
  // False when closing could not see every operation end: the arenas and
  // buffer rings are then left mapped rather than risk the kernel writing
  // into memory that was reused.
  bool quiesced = true;
  // Run by Close first, while the fd is still open: a loop watching the
  // ring (uring_loop.cc) stops polling and closes its dup of the fd, so no
  // watcher ever outlives the ring. A hook may run before it is removed.
  std::vector<std::pair<void (*)(void*), void*>> on_close;
  bool closed = false;
  bool finalized = false;
  bool cleanup_ran = false;
};

// A buffer named in a staged SQE: (arena index + 1) << 32 | offset, so that
// 0 stays the null pointer.
inline uint32_t ArenaRefIndex(uint64_t ref) {
  return static_cast<uint32_t>(ref >> 32) - 1;
}
inline uint32_t ArenaRefOffset(uint64_t ref) {
  return static_cast<uint32_t>(ref);
}

// io_uring_params from JS ({ flags, sq_thread_cpu, sq_thread_idle,
// cq_entries, wq_fd }) and back (sizes, features, sq_off, cq_off).
bool ParamsFromJs(napi_env env, napi_value obj, io_uring_params* p);
void ParamsToJs(napi_env env, napi_value obj, const io_uring_params& p);
// The (entries, params) arguments of io_uring_setup and uringOpen.
bool ArgSetup(napi_env env, napi_callback_info info, napi_value (&argv)[2],
              unsigned* entries, io_uring_params* p);

// uringSubmit(ring, count, min_complete, flags): checks and translates
// staged SQEs 0..count-1, then one io_uring_enter, then reaps. uringReap:
// reaps only. In uring_submit.cc.
napi_value UringSubmit(napi_env env, napi_callback_info info);
// uringSubmit's work, for the ring loop (uring_loop.cc) too: checks and
// translates staged SQEs 0..count-1 (count <= sq_entries) and makes one
// io_uring_enter with `flags` (GETEVENTS added when min_complete > 0).
// False, with a RangeError pending, when an SQE is refused: then none of
// them reached the kernel. Otherwise *result is what the enter returned, or
// -EBUSY without entering when the SQ ring lacks room for `count`.
bool SubmitStaged(napi_env env, Ring* r, unsigned count, unsigned min_complete,
                  unsigned flags, long* result);
napi_value UringReap(napi_env env, napi_callback_info info);
// Moves the kernel's CQEs into the JS copy (as many as it has room for; or,
// with to_copy false, drops them), counting the operations that ended.
void Reap(Ring* r, bool to_copy);
inline uint64_t InFlight(Ring* r) {
  unsigned head = __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE);
  r->consumed += head - r->last_sq_head;
  r->last_sq_head = head;
  return r->consumed - r->ended;
}
// A CQE whose user_data carries kMsgTag: its user_data given back, and on
// the final CQE the slot's results copied out and the slot freed. In
// uring_msghdr.cc.
void MsgComplete(Ring* r, io_uring_cqe* c);
// Frees every msg slot (closing, once every operation has ended) and lets
// go of the registered buffers' arenas.
void MsgFreeAll(Ring* r);
// uringRegisterBuffers and uringUnregisterBuffers, in uring_fixed.cc.
napi_value UringRegisterBuffers(napi_env env, napi_callback_info info);
napi_value UringUnregisterBuffers(napi_env env, napi_callback_info info);
void RegBufsRelease(Ring* r);
// uringBufRing and uringBufRingAdvance, in uring_bufring.cc.
napi_value UringBufRing(napi_env env, napi_callback_info info);
napi_value UringBufRingAdvance(napi_env env, napi_callback_info info);
// An ArrayBuffer over [offset, offset + size) of `m`, remembered by the
// ring so that closing detaches it.
napi_value KeptView(Ring* r, Mem* m, size_t offset, size_t size);
Ring* ArgRing(napi_env env, napi_value v);

}  // namespace ps

#endif  // POSIX_SOCKETS_URING_H_
