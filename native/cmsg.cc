// Ancillary data (cmsg(3)): encoding the control messages sendmsg(2) sends
// and decoding the ones recvmsg(2) receives.
//
// Outgoing, each entry is { level, type } plus exactly one payload:
//   data:        raw bytes (any ArrayBufferView), for any level/type;
//   fds:         SOL_SOCKET/SCM_RIGHTS, file descriptors to pass (unix(7));
//   credentials: SOL_SOCKET/SCM_CREDENTIALS, { pid, uid, gid } (unix(7));
//   pktinfo:     IPPROTO_IP/IP_PKTINFO { ifindex, spec_dst?, addr? } (ip(7))
//                or IPPROTO_IPV6/IPV6_PKTINFO { ifindex, addr? } (ipv6(7)).
// Incoming, every entry carries { level, type, data } and the decoded form
// of the types above.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "msg.h"
#include "object.h"

namespace ps {

namespace {

// CMSG_SPACE(3)(length) and CMSG_LEN(3)(length): the room a control
// message of `length` data bytes takes, and its cmsg_len. Computed here so
// the alignment is the C library's, not a guess.
napi_value CmsgSpace(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int64_t n;
  if (!Args(env, info, argv) ||
      !ArgInteger(env, argv[0], "length", 0, kMaxControl, &n))
    return nullptr;
  return Int(env, CMSG_SPACE(static_cast<size_t>(n)));
}

napi_value CmsgLen(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int64_t n;
  if (!Args(env, info, argv) ||
      !ArgInteger(env, argv[0], "length", 0, kMaxControl, &n))
    return nullptr;
  return Int(env, CMSG_LEN(static_cast<size_t>(n)));
}

}  // namespace

void InitControlMessages(napi_env env, napi_value exports) {
  SetFunction(env, exports, "CMSG_SPACE", CmsgSpace);
  SetFunction(env, exports, "CMSG_LEN", CmsgLen);
}

ControlOut::~ControlOut() {
  if (buffer_ != inline_) free(buffer_);
}

bool ControlOut::Reserve(napi_env env, size_t bytes) {
  size_t need = length_ + CMSG_SPACE(bytes);
  if (bytes > kMaxControl || need > kMaxControl) {
    ThrowRangeError(env, "Control messages need %zu bytes; at most %zu fit",
                    need, kMaxControl);
    return false;
  }
  if (need <= capacity_) return true;
  size_t cap = capacity_ * 2 > need ? capacity_ * 2 : need;
  // calloc: the padding CMSG_SPACE adds goes to the kernel zeroed.
  auto* grown = static_cast<uint8_t*>(calloc(1, cap));
  if (grown == nullptr) {
    ThrowRangeError(env, "Cannot allocate %zu bytes of control data", cap);
    return false;
  }
  memcpy(grown, buffer_, length_);
  if (buffer_ != inline_) free(buffer_);
  buffer_ = grown;
  capacity_ = cap;
  return true;
}

bool ControlOut::Parse(napi_env env, napi_value array, const char* name) {
  memset(inline_, 0, sizeof inline_);
  uint32_t count;
  if (!ArgArrayLength(env, array, name, kMaxControl / CMSG_SPACE(0), &count))
    return false;
  for (uint32_t i = 0; i < count; i++) {
    char label[64];
    snprintf(label, sizeof label, "%s[%u]", name, i);
    napi_value entry, data, fds, cred, pkt;
    if (napi_get_element(env, array, i, &entry) != napi_ok) return false;
    if (!IsObject(env, entry)) {
      ThrowTypeError(env,
                     "Expected argument '%s' to be a control message "
                     "object",
                     label);
      return false;
    }
    int64_t level, type;
    if (!IntField(env, entry, label, "level", INT32_MIN, INT32_MAX, &level) ||
        !IntField(env, entry, label, "type", INT32_MIN, INT32_MAX, &type) ||
        !GetField(env, entry, "data", &data) ||
        !GetField(env, entry, "fds", &fds) ||
        !GetField(env, entry, "credentials", &cred) ||
        !GetField(env, entry, "pktinfo", &pkt))
      return false;
    int payloads = !IsNullish(env, data) + !IsNullish(env, fds) +
                   !IsNullish(env, cred) + !IsNullish(env, pkt);
    if (payloads != 1) {
      ThrowTypeError(env,
                     "Argument '%s' needs exactly one of data, fds, "
                     "credentials, pktinfo",
                     label);
      return false;
    }
    // Checks that a decoded payload goes with the level/type it encodes.
    auto expect = [&](const char* what, int lv, int ty, const char* names) {
      if (level == lv && type == ty) return true;
      ThrowValueError(env, "Argument '%s.%s' goes with level/type %s", label,
                      what, names);
      return false;
    };
    uint8_t* payload = nullptr;
    size_t size = 0;
    if (!IsNullish(env, data)) {
      FieldName dname(label, "data");
      if (!ArgBytes(env, data, dname, &payload, &size) || !Reserve(env, size))
        return false;
    } else if (!IsNullish(env, fds)) {
      FieldName fname(label, "fds");
      uint32_t nfds;
      if (!expect("fds", SOL_SOCKET, SCM_RIGHTS, "SOL_SOCKET/SCM_RIGHTS") ||
          !ArgArrayLength(env, fds, fname, kMaxControl / sizeof(int), &nfds) ||
          !Reserve(env, nfds * sizeof(int)))
        return false;
      size = nfds * sizeof(int);
      uint8_t* out = CMSG_DATA(reinterpret_cast<cmsghdr*>(buffer_ + length_));
      for (uint32_t k = 0; k < nfds; k++) {
        napi_value v;
        int fd;
        char ename[160];
        snprintf(ename, sizeof ename, "%s[%u]", fname.text, k);
        if (napi_get_element(env, fds, k, &v) != napi_ok ||
            !ArgFd(env, v, &fd, ename))
          return false;
        memcpy(out + k * sizeof(int), &fd, sizeof fd);
      }
    } else if (!IsNullish(env, cred)) {
      FieldName cname(label, "credentials");
      int64_t pid, uid, gid;
      if (!expect("credentials", SOL_SOCKET, SCM_CREDENTIALS,
                  "SOL_SOCKET/SCM_CREDENTIALS") ||
          !IntField(env, cred, cname, "pid", INT32_MIN, INT32_MAX, &pid) ||
          !IntField(env, cred, cname, "uid", 0, UINT32_MAX, &uid) ||
          !IntField(env, cred, cname, "gid", 0, UINT32_MAX, &gid) ||
          !Reserve(env, sizeof(ucred)))
        return false;
      ucred uc = {static_cast<pid_t>(pid), static_cast<uid_t>(uid),
                  static_cast<gid_t>(gid)};
      size = sizeof uc;
      memcpy(CMSG_DATA(reinterpret_cast<cmsghdr*>(buffer_ + length_)), &uc,
             size);
    } else {
      FieldName pname(label, "pktinfo");
      int64_t ifindex;
      if (!OptionalIntField(env, pkt, pname, "ifindex", 0, INT32_MAX, 0,
                            &ifindex))
        return false;
      if (level == IPPROTO_IP && type == IP_PKTINFO) {
        in_pktinfo pi;
        pi.ipi_ifindex = static_cast<int>(ifindex);
        if (!IpField(env, pkt, pname, "spec_dst", AF_INET, false,
                     &pi.ipi_spec_dst) ||
            !IpField(env, pkt, pname, "addr", AF_INET, false, &pi.ipi_addr) ||
            !Reserve(env, sizeof pi))
          return false;
        size = sizeof pi;
        memcpy(CMSG_DATA(reinterpret_cast<cmsghdr*>(buffer_ + length_)), &pi,
               size);
      } else {
        in6_pktinfo pi;
        pi.ipi6_ifindex = static_cast<unsigned>(ifindex);
        if (!expect("pktinfo", IPPROTO_IPV6, IPV6_PKTINFO,
                    "IPPROTO_IP/IP_PKTINFO or IPPROTO_IPV6/IPV6_PKTINFO") ||
            !IpField(env, pkt, pname, "addr", AF_INET6, false, &pi.ipi6_addr) ||
            !Reserve(env, sizeof pi))
          return false;
        size = sizeof pi;
        memcpy(CMSG_DATA(reinterpret_cast<cmsghdr*>(buffer_ + length_)), &pi,
               size);
      }
    }
    auto* cmsg = reinterpret_cast<cmsghdr*>(buffer_ + length_);
    cmsg->cmsg_level = static_cast<int>(level);
    cmsg->cmsg_type = static_cast<int>(type);
    cmsg->cmsg_len = CMSG_LEN(size);
    if (payload != nullptr) memcpy(CMSG_DATA(cmsg), payload, size);
    length_ += CMSG_SPACE(size);
  }
  return true;
}

void CloseReceivedFds(const msghdr* msg) {
  EachControlMessage(msg, [](cmsghdr* c, const uint8_t* data, size_t size) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) return;
    for (size_t k = 0; k + sizeof(int) <= size; k += sizeof(int)) {
      int fd;
      memcpy(&fd, data + k, sizeof fd);
      close(fd);
    }
  });
}

napi_value ControlToJs(napi_env env, const msghdr* msg, napi_value fds) {
  napi_value list;
  napi_create_array(env, &list);
  uint32_t index = 0, nfds = 0;
  EachControlMessage(msg, [&](cmsghdr* c, const uint8_t* data, size_t size) {
    napi_value entry, bytes;
    napi_create_object(env, &entry);
    SetInt(env, entry, "level", c->cmsg_level);
    SetInt(env, entry, "type", c->cmsg_type);
    napi_create_buffer_copy(env, size, data, nullptr, &bytes);
    napi_set_named_property(env, entry, "data", bytes);
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      // Every fd the kernel installed is handed over, here and in the
      // message-wide list: the caller owns (and must close) each of them.
      napi_value mine;
      napi_create_array(env, &mine);
      for (size_t k = 0; k + sizeof(int) <= size; k += sizeof(int)) {
        int fd;
        memcpy(&fd, data + k, sizeof fd);
        napi_set_element(env, mine, static_cast<uint32_t>(k / sizeof(int)),
                         Int(env, fd));
        napi_set_element(env, fds, nfds++, Int(env, fd));
      }
      napi_set_named_property(env, entry, "fds", mine);
    } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
               size >= sizeof(ucred)) {
      ucred uc;
      memcpy(&uc, data, sizeof uc);
      napi_value cred;
      napi_create_object(env, &cred);
      SetInt(env, cred, "pid", uc.pid);
      SetInt(env, cred, "uid", uc.uid);
      SetInt(env, cred, "gid", uc.gid);
      napi_set_named_property(env, entry, "credentials", cred);
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
               size >= sizeof(in_pktinfo)) {
      in_pktinfo pi;
      memcpy(&pi, data, sizeof pi);
      napi_value info;
      napi_create_object(env, &info);
      SetInt(env, info, "ifindex", pi.ipi_ifindex);
      SetIp(env, info, "spec_dst", AF_INET, &pi.ipi_spec_dst);
      SetIp(env, info, "addr", AF_INET, &pi.ipi_addr);
      napi_set_named_property(env, entry, "pktinfo", info);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
               size >= sizeof(in6_pktinfo)) {
      in6_pktinfo pi;
      memcpy(&pi, data, sizeof pi);
      napi_value info;
      napi_create_object(env, &info);
      SetInt(env, info, "ifindex", pi.ipi6_ifindex);
      SetIp(env, info, "addr", AF_INET6, &pi.ipi6_addr);
      napi_set_named_property(env, entry, "pktinfo", info);
    }
    napi_set_element(env, list, index++, entry);
  });
  return list;
}

}  // namespace ps
