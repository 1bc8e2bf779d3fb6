/* A UNIX-domain stream server: the same calls as TCP's, but the address is
 * a name in the filesystem (a socket file, which bind creates and which must
 * be unlinked before the next bind) or, with a leading '@', in the abstract
 * namespace (no file; it goes when the socket closes). It answers one client
 * and exits. Its twin, server.ts, is the same program line by line in TypeScript.
 * Usage: server path|@name */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
  if (argc != 2) { fprintf(stderr, "usage: server path|@name\n"); return 2; }
  const char *name = argv[1];
  int abstract = name[0] == '@';
  int sockfd = socket(AF_UNIX, SOCK_STREAM, 0);

  struct sockaddr_un addr = {0};
  addr.sun_family = AF_UNIX;
  socklen_t addrlen;
  if (abstract) { /* sun_path[0] is '\0', and the name is exactly the bytes after it */
    memcpy(addr.sun_path + 1, name + 1, strlen(name) - 1);
    addrlen = offsetof(struct sockaddr_un, sun_path) + strlen(name);
  } else {
    strncpy(addr.sun_path, name, sizeof addr.sun_path - 1);
    addrlen = sizeof addr;
    unlink(name); /* a socket file left by an earlier run would make bind fail: EADDRINUSE */
  }
  if (bind(sockfd, (struct sockaddr *)&addr, addrlen) == -1) { perror("bind"); return 1; }
  listen(sockfd, 10);
  struct stat st;
  int file = !abstract && stat(name, &st) == 0 && S_ISSOCK(st.st_mode);
  printf("server: listening on %s (%s)\n", name, abstract ? "abstract: no file" : file ? "a socket file" : "NO FILE?");
  fflush(stdout);

  struct sockaddr_un cli;
  socklen_t len = sizeof cli;
  int newfd = accept(sockfd, (struct sockaddr *)&cli, &len);
  /* A client that did not bind has no name: the kernel fills only the family. */
  printf("server: got a connection, the client's address is %d bytes (%s)\n", (int)len,
         len == sizeof(sa_family_t) ? "unnamed" : "named");
  char buf[100];
  ssize_t n = read(newfd, buf, sizeof buf);
  char reply[128];
  int rlen = snprintf(reply, sizeof reply, "you sent %zd bytes", n);
  write(newfd, reply, rlen);
  close(newfd);
  close(sockfd);
  if (!abstract) unlink(name); /* closing does not remove the file */
  return 0;
}
