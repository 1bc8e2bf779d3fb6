// TCP_INFO: struct tcp_info from <linux/tcp.h> as a plain object.
//
// The kernel appends fields to struct tcp_info release after release, and
// getsockopt copies min(the caller's length, its own size). So the struct
// the headers describe may be longer than what an older kernel fills, or
// shorter than what a newer one has. Every field is read only when the
// length the kernel returned covers it; a field it did not fill is absent
// from the object rather than a stale zero.
//
// This file includes <linux/tcp.h> and not <netinet/tcp.h>: both define a
// struct tcp_info, and only the kernel's has every field.
#include <linux/bpf.h>
#include <linux/tcp.h>
#include <sys/socket.h>

#include <cmath>
#include <cstddef>
#include <cstring>

#include "object.h"
#include "sockopt.h"

namespace ps {

namespace {

void SetU64(napi_env env, napi_value obj, const char* key, uint64_t v) {
  // Byte and rate counters are exact as numbers up to 2^53 (8 PiB). The
  // kernel's "no limit" rate, ~0ULL, reads as Infinity rather than as a
  // rounded 1.8e19 that looks like a measurement.
  SetNumber(env, obj, key, v == UINT64_MAX ? INFINITY : static_cast<double>(v));
}

// The names tcp(7) and ss(8) use. <linux/tcp.h> has no state numbers, and
// <netinet/tcp.h>, which has them, cannot be included beside it; the BPF
// uapi's copy is the kernel's own list (net/ipv4/tcp.c checks at build time
// that the two agree).
const char* TcpStateName(int state) {
  switch (state) {
    case BPF_TCP_ESTABLISHED:
      return "ESTABLISHED";
    case BPF_TCP_SYN_SENT:
      return "SYN_SENT";
    case BPF_TCP_SYN_RECV:
      return "SYN_RECV";
    case BPF_TCP_FIN_WAIT1:
      return "FIN_WAIT1";
    case BPF_TCP_FIN_WAIT2:
      return "FIN_WAIT2";
    case BPF_TCP_TIME_WAIT:
      return "TIME_WAIT";
    case BPF_TCP_CLOSE:
      return "CLOSE";
    case BPF_TCP_CLOSE_WAIT:
      return "CLOSE_WAIT";
    case BPF_TCP_LAST_ACK:
      return "LAST_ACK";
    case BPF_TCP_LISTEN:
      return "LISTEN";
    case BPF_TCP_CLOSING:
      return "CLOSING";
    default:
      return nullptr;
  }
}

const char* CaStateName(int s) {
  switch (s) {
    case TCP_CA_Open:
      return "Open";
    case TCP_CA_Disorder:
      return "Disorder";
    case TCP_CA_CWR:
      return "CWR";
    case TCP_CA_Recovery:
      return "Recovery";
    case TCP_CA_Loss:
      return "Loss";
    default:
      return nullptr;
  }
}

}  // namespace

napi_value TcpInfoToJs(napi_env env, const void* data, socklen_t len) {
  // A zeroed copy, so the bit-fields can be read through the struct (their
  // bit order is the compiler's business) without reading past `len`.
  tcp_info ti;
  memset(&ti, 0, sizeof ti);
  memcpy(&ti, data, len < sizeof ti ? len : sizeof ti);
  const size_t n = len;

  napi_value o;
  napi_create_object(env, &o);

// Present when the kernel's bytes reach the end of the field.
#define PS_HAS(f) (n >= offsetof(tcp_info, tcpi_##f) + sizeof(ti.tcpi_##f))
#define PS_U32(f) \
  if (PS_HAS(f)) SetNumber(env, o, #f, ti.tcpi_##f)
#define PS_U64(f) \
  if (PS_HAS(f)) SetU64(env, o, #f, ti.tcpi_##f)

  if (PS_HAS(state)) {
    const char* name = TcpStateName(ti.tcpi_state);
    if (name != nullptr) {
      SetString(env, o, "state", name);
    } else {
      SetNumber(env, o, "state", ti.tcpi_state);  // a state newer than us
    }
  }
  if (PS_HAS(ca_state)) {
    const char* name = CaStateName(ti.tcpi_ca_state);
    if (name != nullptr) {
      SetString(env, o, "ca_state", name);
    } else {
      SetNumber(env, o, "ca_state", ti.tcpi_ca_state);
    }
  }
  PS_U32(retransmits);
  PS_U32(probes);
  PS_U32(backoff);
  PS_U32(options);
  // The two bytes of bit-fields sit between tcpi_options and tcpi_rto.
  if (n >= offsetof(tcp_info, tcpi_options) + 2) {
    SetNumber(env, o, "snd_wscale", ti.tcpi_snd_wscale);
    SetNumber(env, o, "rcv_wscale", ti.tcpi_rcv_wscale);
  }
  if (n >= offsetof(tcp_info, tcpi_options) + 3) {
    SetNumber(env, o, "delivery_rate_app_limited",
              ti.tcpi_delivery_rate_app_limited);
    SetNumber(env, o, "fastopen_client_fail", ti.tcpi_fastopen_client_fail);
  }
  PS_U32(rto);
  PS_U32(ato);
  PS_U32(snd_mss);
  PS_U32(rcv_mss);
  PS_U32(unacked);
  PS_U32(sacked);
  PS_U32(lost);
  PS_U32(retrans);
  PS_U32(fackets);
  PS_U32(last_data_sent);
  PS_U32(last_ack_sent);
  PS_U32(last_data_recv);
  PS_U32(last_ack_recv);
  PS_U32(pmtu);
  PS_U32(rcv_ssthresh);
  PS_U32(rtt);
  PS_U32(rttvar);
  PS_U32(snd_ssthresh);
  PS_U32(snd_cwnd);
  PS_U32(advmss);
  PS_U32(reordering);
  PS_U32(rcv_rtt);
  PS_U32(rcv_space);
  PS_U32(total_retrans);
  PS_U64(pacing_rate);
  PS_U64(max_pacing_rate);
  PS_U64(bytes_acked);
  PS_U64(bytes_received);
  PS_U32(segs_out);
  PS_U32(segs_in);
  PS_U32(notsent_bytes);
  PS_U32(min_rtt);
  PS_U32(data_segs_in);
  PS_U32(data_segs_out);
  PS_U64(delivery_rate);
  PS_U64(busy_time);
  PS_U64(rwnd_limited);
  PS_U64(sndbuf_limited);
  PS_U32(delivered);
  PS_U32(delivered_ce);
  PS_U64(bytes_sent);
  PS_U64(bytes_retrans);
  PS_U32(dsack_dups);
  PS_U32(reord_seen);
  PS_U32(rcv_ooopack);
  PS_U32(snd_wnd);

#undef PS_U64
#undef PS_U32
#undef PS_HAS
  return o;
}

}  // namespace ps
