// What the load generator reads from /proc about the server and itself:
// CPU time, memory, the kernel's TCP memory. Static helpers in a header, so
// loadgen stays one compile (`cc loadgen.c`) and under 400 lines.
#ifndef LOADGEN_PROCSTAT_H_
#define LOADGEN_PROCSTAT_H_

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

// ---- server accounting ----------------------------------------------------

struct Cpu {
  long long ticks;  // utime + stime, in clock ticks
  long long ns;     // sum of the threads' run time (schedstat), -1 if unreadable
};

static struct Cpu read_cpu(int pid) {
  struct Cpu c = {-1, -1};
  if (pid <= 0) return c;
  char path[64], line[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r");
  if (f) {
    if (fgets(line, sizeof line, f)) {
      char *p = strrchr(line, ')');  // comm may hold spaces: fields count from after it
      unsigned long long ut = 0, st = 0;
      if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) == 2)
        c.ticks = (long long)(ut + st);
    }
    fclose(f);
  }
  snprintf(path, sizeof path, "/proc/%d/task", pid);
  DIR *d = opendir(path);
  if (d) {
    long long sum = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
      if (e->d_name[0] == '.') continue;
      snprintf(line, sizeof line, "/proc/%d/task/%s/schedstat", pid, e->d_name);
      FILE *t = fopen(line, "r");
      if (!t) continue;
      long long v;
      if (fscanf(t, "%lld", &v) == 1) sum += v;
      fclose(t);
    }
    closedir(d);
    c.ns = sum;
  }
  return c;
}

static long read_status_kb(int pid, const char *key) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  FILE *f = fopen(path, "r");
  long v = -1;
  size_t kl = strlen(key);
  if (!f) return -1;
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, key, kl) && line[kl] == ':') {
      v = atol(line + kl + 1);
      break;
    }
  fclose(f);
  return v;
}

// TCP "mem" from /proc/net/sockstat, in pages.
static long sockstat_tcp_mem(void) {
  FILE *f = fopen("/proc/net/sockstat", "r");
  char line[256];
  long v = -1;
  if (!f) return -1;
  while (fgets(line, sizeof line, f)) {
    char *p = strstr(line, "TCP:");
    char *m = p ? strstr(p, " mem ") : NULL;
    if (m) v = atol(m + 5);
  }
  fclose(f);
  return v;
}

static long meminfo_kb(const char *key) {
  FILE *f = fopen("/proc/meminfo", "r");
  char line[256];
  long v = -1;
  size_t kl = strlen(key);
  if (!f) return -1;
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, key, kl) && line[kl] == ':') v = atol(line + kl + 1);
  fclose(f);
  return v;
}

static double self_cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

#endif  // LOADGEN_PROCSTAT_H_
