// The SQE checker of uringSubmit, shared by the files that translate SQEs:
// uring_submit.cc (the table of opcodes), uring_msghdr.cc (sendmsg and
// recvmsg, whose msghdr holds pointers) and uring_fixed.cc (registered
// buffers). See uring_submit.cc for the rules.
#ifndef POSIX_SOCKETS_URING_CHECK_H_
#define POSIX_SOCKETS_URING_CHECK_H_

#include <vector>

#include "uring.h"

namespace ps {

struct Checker {
  napi_env env;
  Ring* ring;
  unsigned index = 0;  // which staged SQE, for errors
  uint8_t opcode = 0;
  // Msg slots made for this batch: in ring->msg_ops already (so that a
  // second SQE of the batch sees the first's user_data taken), taken out
  // again if a later SQE is refused.
  std::vector<MsgSlot*> batch;

  bool Fail(const char* what);
  // A buffer reference: the real address of [ref, ref + len) when it lies
  // inside an arena; 0 for a null reference where `nullable`.
  bool Buffer(const char* field, uint64_t ref, uint64_t len, bool nullable,
              __u64* out);
  bool Bits(const char* field, uint64_t value, uint64_t allowed);
  // Fills `out` (zeroed) from `in`: false, with a RangeError, if refused.
  bool Translate(const io_uring_sqe& in, io_uring_sqe* out);
  // IORING_OP_SENDMSG / RECVMSG (uring_msghdr.cc).
  bool Msg(const io_uring_sqe& in, io_uring_sqe* out, bool select);
  // The buffer of a *_FIXED operation, or of SEND_ZC with
  // IORING_RECVSEND_FIXED_BUF: inside registered buffer `buf_index`
  // (uring_fixed.cc).
  bool Fixed(const io_uring_sqe& in, io_uring_sqe* out);
  // A refused batch: its msg slots freed.
  void Rollback();
};

}  // namespace ps

#endif  // POSIX_SOCKETS_URING_CHECK_H_
