/*
 * kafka-mock: a Kafka broker for tests on machines without Docker.
 *
 * Starts librdkafka's mock cluster (Confluent's in-process Kafka protocol implementation,
 * shipped in Debian's librdkafka), prints its bootstrap servers on stdout as ONE line, and
 * runs until SIGTERM or SIGINT. Clients (kafkajs) talk to it over TCP like to any broker:
 * produce/fetch, consumer groups, committed offsets, idempotent producers; topics are
 * auto-created with the mock's default of 4 partitions; CreateTopics is NOT supported,
 * so topics that need another partition count are created here with --topic.
 *
 * Usage: kafka-mock [--brokers N] [--port P] [--topic NAME:PARTITIONS]...
 *   --brokers N   number of brokers (default 1)
 *   --port P      listen on P, P+1, ... (default: ports the kernel picks). librdkafka 2.0
 *                 has no API for this, so the launcher interposes bind(2) for the
 *                 mock's loopback listeners (see bind() below).
 *   --topic T:N   pre-create topic T with N partitions (replication factor = min(3, N brokers))
 *
 * Exit status: 0 after a signal, 2 for bad arguments, 1 when the cluster cannot start.
 * Diagnostics go to stderr. Build: infra/kafka-mock/build.sh.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/* Next fixed port to hand out (0 = let the kernel choose). */
static int next_port = 0;

/*
 * Interposes libc's bind(2) for this process: the mock brokers bind 127.0.0.1:0; with
 * --port, each such bind gets the next fixed port instead. Any other bind passes through.
 */
int bind(int fd, const struct sockaddr *addr, socklen_t len) {
  static int (*real_bind)(int, const struct sockaddr *, socklen_t) = NULL;
  if (real_bind == NULL) {
    real_bind = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
    if (real_bind == NULL) {
      errno = ENOSYS;
      return -1;
    }
  }
  if (next_port > 0 && addr != NULL && addr->sa_family == AF_INET &&
      len >= (socklen_t)sizeof(struct sockaddr_in)) {
    struct sockaddr_in fixed;
    memcpy(&fixed, addr, sizeof fixed);
    if (fixed.sin_port == 0 && ntohl(fixed.sin_addr.s_addr) == INADDR_LOOPBACK) {
      fixed.sin_port = htons((uint16_t)next_port++);
      return real_bind(fd, (const struct sockaddr *)&fixed, sizeof fixed);
    }
  }
  return real_bind(fd, addr, len);
}

static int parse_int(const char *text, int min, int max, int *out) {
  char *end = NULL;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v < min || v > max) return -1;
  *out = (int)v;
  return 0;
}

static void usage(void) {
  fprintf(stderr, "usage: kafka-mock [--brokers N] [--port P] [--topic NAME:PARTITIONS]...\n");
}

int main(int argc, char **argv) {
  int brokers = 1;
  int port = 0;
  const char *topics[64];
  int topic_partitions[64];
  int topic_cnt = 0;

  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(arg, "--brokers") == 0 && value != NULL) {
      if (parse_int(value, 1, 16, &brokers) != 0) {
        fprintf(stderr, "kafka-mock: --brokers must be 1..16, got %s\n", value);
        return 2;
      }
      i++;
    } else if (strcmp(arg, "--port") == 0 && value != NULL) {
      if (parse_int(value, 1, 65535, &port) != 0) {
        fprintf(stderr, "kafka-mock: --port must be 1..65535, got %s\n", value);
        return 2;
      }
      i++;
    } else if (strcmp(arg, "--topic") == 0 && value != NULL) {
      const char *colon = strrchr(value, ':');
      if (colon == NULL || colon == value || topic_cnt == 64 ||
          parse_int(colon + 1, 1, 1000, &topic_partitions[topic_cnt]) != 0) {
        fprintf(stderr, "kafka-mock: --topic wants NAME:PARTITIONS (1..1000), got %s\n", value);
        return 2;
      }
      topics[topic_cnt++] = strndup(value, (size_t)(colon - value));
      i++;
    } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      usage();
      return 0;
    } else {
      usage();
      return 2;
    }
  }
  if (port > 0 && port + brokers - 1 > 65535) {
    fprintf(stderr, "kafka-mock: --port %d leaves no room for %d brokers\n", port, brokers);
    return 2;
  }

  /* Block the stop signals before librdkafka starts its threads (they inherit the mask),
   * so that they are delivered to sigwait() below and not to some broker thread. */
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
  signal(SIGPIPE, SIG_IGN);

  /* The mock cluster needs an rd_kafka_t for its bookkeeping; it is otherwise unused. */
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "kafka-mock: %s\n", errstr);
    return 1;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == NULL) {
    fprintf(stderr, "kafka-mock: cannot create a librdkafka handle: %s\n", errstr);
    return 1;
  }

  next_port = port;
  rd_kafka_mock_cluster_t *mcluster = rd_kafka_mock_cluster_new(rk, brokers);
  next_port = 0;
  if (mcluster == NULL) {
    fprintf(stderr, "kafka-mock: cannot start the mock cluster%s\n",
            port > 0 ? " (is the port in use?)" : "");
    rd_kafka_destroy(rk);
    return 1;
  }

  int replication = brokers < 3 ? brokers : 3;
  for (int t = 0; t < topic_cnt; t++) {
    rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(mcluster, topics[t], topic_partitions[t], replication);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      fprintf(stderr, "kafka-mock: cannot create topic %s: %s\n", topics[t], rd_kafka_err2str(err));
      rd_kafka_mock_cluster_destroy(mcluster);
      rd_kafka_destroy(rk);
      return 1;
    }
  }

  printf("%s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
  fflush(stdout);

  int sig = 0;
  while (sigwait(&stop_signals, &sig) != 0) {
  }

  rd_kafka_mock_cluster_destroy(mcluster);
  rd_kafka_destroy(rk);
  for (int t = 0; t < topic_cnt; t++) free((void *)topics[t]);
  return 0;
}
