// The io_uring ring object shared by uring.cc (setup, mmap, register,
// lifetime) and uring_submit.cc (checking and translating SQEs).
//
// Safety rests on one rule: the kernel only ever sees addresses this file
// made. TypeScript writes SQEs into a staging area it owns, naming buffers by
// arena reference (see ArenaRef); uring_submit.cc rebuilds each SQE from the
// fields its opcode means, with real addresses, into the kernel's SQE array,
// which no JS view covers. The memory the kernel may touch (arenas, buffer
// rings, the rings themselves) is freed only when the kernel is done with it
// AND no ArrayBuffer views it any more: each block is reference counted.
#ifndef POSIX_SOCKETS_URING_H_
#define POSIX_SOCKETS_URING_H_

#include <linux/io_uring.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common.h"

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

struct Ring {
  napi_env env = nullptr;
  int fd = -1;
  io_uring_params params = {};
  Mem* rings = nullptr;    // SQ and CQ rings (IORING_FEAT_SINGLE_MMAP)
  Mem* cq = nullptr;       // the CQ ring when mapped on its own
  Mem* sqes = nullptr;     // the kernel's SQE array: never viewed from JS
  Mem* staging = nullptr;  // JS's SQEs, sq_entries of them
  unsigned* sq_head = nullptr;
  unsigned* sq_tail = nullptr;
  unsigned* sq_array = nullptr;
  unsigned sq_mask = 0;
  std::vector<Mem*> arenas;
  std::vector<BufRing> buf_rings;
  // Every ArrayBuffer handed to JS, detached when the ring is closed so that
  // closing frees the memory at once rather than at the next collection.
  std::vector<napi_ref> views;
  // False when closing could not confirm that every operation ended: the
  // arenas and buffer rings are then left mapped rather than risk the
  // kernel writing into memory that was reused.
  bool quiesced = true;
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
// staged SQEs 0..count-1, then one io_uring_enter. In uring_submit.cc.
napi_value UringSubmit(napi_env env, napi_callback_info info);
// uringBufRing and uringBufRingAdvance, in uring_bufring.cc.
napi_value UringBufRing(napi_env env, napi_callback_info info);
napi_value UringBufRingAdvance(napi_env env, napi_callback_info info);
// An ArrayBuffer over [offset, offset + size) of `m`, remembered by the
// ring so that closing detaches it.
napi_value KeptView(Ring* r, Mem* m, size_t offset, size_t size);
Ring* ArgRing(napi_env env, napi_value v);

}  // namespace ps

#endif  // POSIX_SOCKETS_URING_H_
