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
 *                   [--leader NAME:PARTITION:BROKER]... [--rtt BROKER:MS]...
 *   --brokers N   number of brokers (default 1)
 *   --port P      listen on P, P+1, ... (default: ports the kernel picks). librdkafka 2.0
 *                 has no API for this, so the launcher interposes bind(2) for the
 *                 mock's loopback listeners (see bind() below).
 *   --topic T:N   pre-create topic T with N partitions (replication factor = min(3, N brokers))
 *   --leader T:P:B  make broker B (1..N) the leader of partition P of a --topic T
 *   --rtt B:MS    broker B answers every request MS milliseconds late (a slow or far broker:
 *                 tests use it to make one topic's fetches arrive after another's)
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
  fprintf(stderr,
          "usage: kafka-mock [--brokers N] [--port P] [--topic NAME:PARTITIONS]...\n"
          "                  [--leader NAME:PARTITION:BROKER]... [--rtt BROKER:MS]...\n");
}

int main(int argc, char **argv) {
  int brokers = 1;
  int port = 0;
  const char *topics[64];
  int topic_partitions[64];
  int topic_cnt = 0;
  const char *leader_topics[64];
  int leader_partition[64];
  int leader_broker[64];
  int leader_cnt = 0;
  int rtt_broker[16];
  int rtt_ms[16];
  int rtt_cnt = 0;

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
    } else if (strcmp(arg, "--leader") == 0 && value != NULL) {
      /* NAME:PARTITION:BROKER, NAME may itself hold no colon after the last two. */
      const char *last = strrchr(value, ':');
      const char *mid = NULL;
      for (const char *c = value; c < last; c++)
        if (*c == ':') mid = c;
      char part[16];
      if (last == NULL || mid == NULL || mid == value || leader_cnt == 64 ||
          (size_t)(last - mid - 1) >= sizeof part) {
        fprintf(stderr, "kafka-mock: --leader wants NAME:PARTITION:BROKER, got %s\n", value);
        return 2;
      }
      memcpy(part, mid + 1, (size_t)(last - mid - 1));
      part[last - mid - 1] = '\0';
      if (parse_int(part, 0, 999, &leader_partition[leader_cnt]) != 0 ||
          parse_int(last + 1, 1, 16, &leader_broker[leader_cnt]) != 0) {
        fprintf(stderr, "kafka-mock: --leader wants NAME:PARTITION:BROKER, got %s\n", value);
        return 2;
      }
      leader_topics[leader_cnt++] = strndup(value, (size_t)(mid - value));
      i++;
    } else if (strcmp(arg, "--rtt") == 0 && value != NULL) {
      const char *colon = strchr(value, ':');
      char id[16];
      if (colon == NULL || rtt_cnt == 16 || (size_t)(colon - value) >= sizeof id) {
        fprintf(stderr, "kafka-mock: --rtt wants BROKER:MS, got %s\n", value);
        return 2;
      }
      memcpy(id, value, (size_t)(colon - value));
      id[colon - value] = '\0';
      if (parse_int(id, 1, 16, &rtt_broker[rtt_cnt]) != 0 ||
          parse_int(colon + 1, 0, 60000, &rtt_ms[rtt_cnt]) != 0) {
        fprintf(stderr, "kafka-mock: --rtt wants BROKER:MS (0..60000), got %s\n", value);
        return 2;
      }
      rtt_cnt++;
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

  for (int l = 0; l < leader_cnt; l++) {
    if (leader_broker[l] > brokers) {
      fprintf(stderr, "kafka-mock: --leader %s: there is no broker %d\n", leader_topics[l], leader_broker[l]);
      rd_kafka_mock_cluster_destroy(mcluster);
      rd_kafka_destroy(rk);
      return 2;
    }
    rd_kafka_resp_err_t err = rd_kafka_mock_partition_set_leader(mcluster, leader_topics[l],
                                                                 leader_partition[l], leader_broker[l]);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      fprintf(stderr, "kafka-mock: cannot set the leader of %s/%d: %s\n", leader_topics[l],
              leader_partition[l], rd_kafka_err2str(err));
      rd_kafka_mock_cluster_destroy(mcluster);
      rd_kafka_destroy(rk);
      return 1;
    }
  }
  for (int r = 0; r < rtt_cnt; r++) {
    if (rtt_broker[r] > brokers) {
      fprintf(stderr, "kafka-mock: --rtt: there is no broker %d\n", rtt_broker[r]);
      rd_kafka_mock_cluster_destroy(mcluster);
      rd_kafka_destroy(rk);
      return 2;
    }
    rd_kafka_mock_broker_set_rtt(mcluster, rtt_broker[r], rtt_ms[r]);
  }

  printf("%s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
  fflush(stdout);

  int sig = 0;
  while (sigwait(&stop_signals, &sig) != 0) {
  }

  rd_kafka_mock_cluster_destroy(mcluster);
  rd_kafka_destroy(rk);
  for (int t = 0; t < topic_cnt; t++) free((void *)topics[t]);
  for (int l = 0; l < leader_cnt; l++) free((void *)leader_topics[l]);
  return 0;
}
