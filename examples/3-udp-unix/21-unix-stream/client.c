/* A UNIX-domain stream client: it connects to a path or an '@' abstract
 * name, sends one line and prints the answer. The client does not bind, so
 * it has no name of its own (TCP's connect picks a port; here nothing is picked).
 * Its twin, client.ts, is the same program line by line in TypeScript.
 * Usage: client path|@name */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
  if (argc != 2) { fprintf(stderr, "usage: client path|@name\n"); return 2; }
  const char *name = argv[1];
  int sockfd = socket(AF_UNIX, SOCK_STREAM, 0);

  struct sockaddr_un addr = {0};
  addr.sun_family = AF_UNIX;
  socklen_t addrlen;
  if (name[0] == '@') {
    memcpy(addr.sun_path + 1, name + 1, strlen(name) - 1);
    addrlen = offsetof(struct sockaddr_un, sun_path) + strlen(name);
  } else {
    strncpy(addr.sun_path, name, sizeof addr.sun_path - 1);
    addrlen = sizeof addr;
  }
  if (connect(sockfd, (struct sockaddr *)&addr, addrlen) == -1) { perror("connect"); return 1; }

  const char *msg = "hello over a UNIX socket";
  write(sockfd, msg, strlen(msg));
  char buf[100];
  ssize_t n = read(sockfd, buf, sizeof buf - 1);
  buf[n] = '\0';
  printf("client: received '%s'\n", buf);
  close(sockfd);
  return 0;
}
