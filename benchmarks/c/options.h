// The load generator's command line, included by loadgen.c after the
// globals it sets.
#ifndef LOADGEN_OPTIONS_H_
#define LOADGEN_OPTIONS_H_

static void usage(void) {
  fprintf(stderr,
          "usage: loadgen --port P [--mode pingpong|stream|churn|idle] [--conns N] [--size S] [--depth D]\n"
          "               [--duration SEC] [--warmup SEC] [--deadline SEC] [--server-pid PID]\n"
          "               [--active K] [--hold SEC]\n");
  exit(2);
}

static void parse_options(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) usage();
    i++;
    if (!strcmp(a, "--port")) port = atoi(v);
    else if (!strcmp(a, "--mode")) {
      if (!strcmp(v, "pingpong")) mode = PINGPONG;
      else if (!strcmp(v, "stream")) mode = STREAM;
      else if (!strcmp(v, "churn")) mode = CHURN;
      else if (!strcmp(v, "idle")) mode = IDLE;
      else usage();
    } else if (!strcmp(a, "--conns")) nconns = atoi(v);
    else if (!strcmp(a, "--size")) msg_size = (size_t)atol(v);
    else if (!strcmp(a, "--depth")) depth = atoi(v);
    else if (!strcmp(a, "--duration")) duration = atof(v);
    else if (!strcmp(a, "--warmup")) warmup = atof(v);
    else if (!strcmp(a, "--deadline")) deadline_s = atof(v);
    else if (!strcmp(a, "--server-pid")) server_pid = atoi(v);
    else if (!strcmp(a, "--active")) nactive = atoi(v);
    else if (!strcmp(a, "--hold")) hold = atof(v);
    else usage();
  }
}

#endif  // LOADGEN_OPTIONS_H_
