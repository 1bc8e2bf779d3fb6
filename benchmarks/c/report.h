// How the load generator reports: one JSON line on stdout, built in a
// buffer and written once, whether the run ends well, fails or hangs.
#ifndef LOADGEN_REPORT_H_
#define LOADGEN_REPORT_H_

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

// The result line is assembled here and printed once at the end, so that a
// failure half-way prints its own line and never a broken one.
static char result[8192];
static size_t result_len;

static void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void emit(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(result + result_len, sizeof result - result_len, fmt, ap);
  va_end(ap);
  if (n > 0) result_len += (size_t)n < sizeof result - result_len ? (size_t)n : sizeof result - result_len - 1;
}

static int64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  for (char *p = msg; *p; p++)
    if (*p == '"' || *p == '\\') *p = '\'';
  printf("{\"ok\":false,\"error\":\"%s\"}\n", msg);
  fflush(stdout);
  exit(1);
}

static void on_alarm(int sig) {
  (void)sig;
  static const char m[] = "{\"ok\":false,\"error\":\"hard deadline reached\"}\n";
  if (write(1, m, sizeof m - 1) < 0) _exit(3);
  _exit(3);
}

#endif  // LOADGEN_REPORT_H_
