// The load generator's latency histogram, included by loadgen.c after its
// `hist` array: log-linear buckets, so a percentile is within ~3 %.
#ifndef LOADGEN_HISTOGRAM_H_
#define LOADGEN_HISTOGRAM_H_

// ---- latency histogram: log-linear, 32 sub-buckets per power of two (~3 %) --

static int bucket_of(uint64_t v) {
  if (v < 64) return (int)v;
  int msb = 63 - __builtin_clzll(v);
  int b = 64 + (msb - 6) * 32 + (int)((v >> (msb - 5)) & 31);
  return b < HIST_BUCKETS ? b : HIST_BUCKETS - 1;
}

static double bucket_mid(int b) {
  if (b < 64) return b;
  int msb = (b - 64) / 32 + 6, sub = (b - 64) % 32;
  double lo = (double)((uint64_t)(32 + sub) << (msb - 5));
  return lo + (double)(1ull << (msb - 5)) / 2;
}

static double percentile(double q) {
  uint64_t total = 0;
  for (int b = 0; b < HIST_BUCKETS; b++) total += hist[b];
  if (!total) return 0;
  uint64_t rank = (uint64_t)ceil(q * (double)total), seen = 0;
  if (rank < 1) rank = 1;
  for (int b = 0; b < HIST_BUCKETS; b++) {
    seen += hist[b];
    if (seen >= rank) return bucket_mid(b);
  }
  return 0;
}

#endif  // LOADGEN_HISTOGRAM_H_
