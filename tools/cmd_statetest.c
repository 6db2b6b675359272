/* `parevm statetest`: runs GeneralStateTests files on a pool of worker threads. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "evm/interp.h"
#include "io/statetest.h"
#include "util/hex.h"

typedef struct files {
    char **path;
    size_t n, cap;
} files;

static void add_file(files *f, const char *p)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 256;
        f->path = realloc(f->path, f->cap * sizeof *f->path);
        if (!f->path)
            abort();
    }
    f->path[f->n++] = strdup(p);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Collects *.json under path (recursively); returns false if path cannot be read. */
static bool collect(files *f, const char *path, bool top)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return false;
    if (!S_ISDIR(sb.st_mode)) {
        size_t n = strlen(path);
        if (top || (n > 5 && strcmp(path + n - 5, ".json") == 0))
            add_file(f, path);
        return true;
    }
    DIR *d = opendir(path);
    if (!d)
        return false;
    struct dirent *e;
    files sub = {0};
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p;
        if (asprintf(&p, "%s/%s", path, e->d_name) < 0)
            abort();
        add_file(&sub, p);
        free(p);
    }
    closedir(d);
    qsort(sub.path, sub.n, sizeof *sub.path, cmp_str);
    for (size_t i = 0; i < sub.n; i++) {
        collect(f, sub.path[i], false);
        free(sub.path[i]);
    }
    free(sub.path);
    return true;
}

/* A loaded file whose cases are being run. Its owner (the worker that loaded it) and any idle
 * workers take cases through `next`; the owner frees it once no helper is left. */
typedef struct job {
    pv_st_file *file;
    const char *path;
    size_t *first;              /* first[i]: flat index of test i's first case */
    size_t total;
    atomic_size_t next;
    int helpers;                /* guarded by run.lock */
    struct job *prev, *nxt;     /* active list, guarded by run.lock */
} job;

typedef struct run {
    files list;
    const char *only_fork;
    bool json, verbose, progress;
    atomic_size_t next_file, files_done;
    atomic_size_t passed, failed, skipped, errors, done_cases;
    pthread_mutex_t out_lock;
    pthread_mutex_t lock;
    pthread_cond_t helpers_done;
    job *active;
} run;

static void hex32(const pv_bytes32 *b, char *out) { pv_hex_encode(b->b, 32, out); }

static void json_escape(FILE *o, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', o);
        fputc(*s, o);
    }
}

static bool selected(const run *r, const pv_st_case *c)
{
    if (!r->only_fork || strcmp(r->only_fork, c->fork_name) == 0)
        return true;
    pv_fork f;
    return pv_fork_from_name(r->only_fork, &f) && c->fork_known && c->fork == f;
}

static void run_one(run *r, const job *j, const pv_st_test *t, const pv_st_case *c, FILE *out)
{
    pv_st_outcome o;
    pv_st_run_case(t, c, &o);
    atomic_fetch_add(&r->done_cases, 1);
    atomic_fetch_add(o.pass ? &r->passed : &r->failed, 1);
    char root[70], logs[70], want_root[70], want_logs[70];
    hex32(&o.root, root);
    hex32(&o.logs, logs);
    if (r->json) {
        fprintf(out, "{\"name\":\"");
        json_escape(out, t->name);
        fprintf(out, "\",\"fork\":\"%s\",\"index\":{\"data\":%zu,\"gas\":%zu,\"value\":%zu},\"pass\":%s,"
                     "\"skipped\":false,\"stateRoot\":\"%s\",\"logsHash\":\"%s\",\"error\":",
                c->fork_name, c->d, c->g, c->v, o.pass ? "true" : "false", root, logs);
        if (o.rejected)
            fprintf(out, "\"%s\"}\n", pv_tx_error_name(o.error));
        else
            fprintf(out, "null}\n");
        return;
    }
    if (o.pass && !r->verbose)
        return;
    hex32(&c->hash, want_root);
    hex32(&c->logs, want_logs);
    fprintf(out, "%s %s %s d=%zu g=%zu v=%zu", o.pass ? "pass" : "FAIL",
            t->name, c->fork_name, c->d, c->g, c->v);
    if (!o.pass) {
        if (!pv_bytes32_eq(&o.root, &c->hash))
            fprintf(out, " stateRoot %s want %s", root, want_root);
        if (!pv_bytes32_eq(&o.logs, &c->logs))
            fprintf(out, " logs %s want %s", logs, want_logs);
        if (o.rejected != c->expect_exception)
            fprintf(out, " exception: got %s, want %s", o.rejected ? pv_tx_error_name(o.error) : "none",
                    c->expect_exception ? c->exception : "none");
        fprintf(out, " (%s)", j->path);
    }
    fputc('\n', out);
}

/* Takes cases of j until none is left. */
static void work_on(run *r, job *j, FILE *out)
{
    for (;;) {
        size_t k = atomic_fetch_add(&j->next, 1);
        if (k >= j->total)
            return;
        size_t lo = 0, hi = j->file->ntests;   /* last test with first <= k */
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (j->first[mid] <= k)
                lo = mid;
            else
                hi = mid;
        }
        const pv_st_test *t = &j->file->tests[lo];
        const pv_st_case *c = &t->cases[k - j->first[lo]];
        if (c->fork_known && selected(r, c))
            run_one(r, j, t, c, out);
    }
}

/* Loads a file and reports what cannot run (bad tests, unknown forks) once, from its owner. */
static job *open_job(run *r, const char *path, FILE *out)
{
    char *err = NULL;
    pv_st_file *f = pv_st_load(path, &err);
    if (!f) {
        fprintf(out, "error: %s\n", err);
        free(err);
        atomic_fetch_add(&r->errors, 1);
        return NULL;
    }
    job *j = calloc(1, sizeof *j);
    j->file = f;
    j->path = path;
    j->first = calloc(f->ntests + 1, sizeof *j->first);
    for (size_t i = 0; i < f->ntests; i++) {
        pv_st_test *t = &f->tests[i];
        j->first[i] = j->total;
        if (t->error) {
            fprintf(out, "error: %s\n", t->error);
            atomic_fetch_add(&r->errors, 1);
            continue;
        }
        const char *reported = NULL;
        for (size_t k = 0; k < t->ncases; k++) {
            pv_st_case *c = &t->cases[k];
            if (c->fork_known || !selected(r, c))
                continue;
            if (!reported || strcmp(reported, c->fork_name) != 0) {
                fprintf(out, "error: %s: test '%s': post.%s: unknown fork name, its cases are skipped\n",
                        path, t->name, c->fork_name);
                atomic_fetch_add(&r->errors, 1);
                reported = c->fork_name;
            }
            atomic_fetch_add(&r->skipped, 1);
        }
        j->total += t->ncases;
    }
    return j;
}

static void flush_output(run *r, char *buf, size_t len)
{
    pthread_mutex_lock(&r->out_lock);
    if (len) {
        if (r->progress)
            fputs("\r\033[K", stderr);
        fwrite(buf, 1, len, stdout);
        fflush(stdout);
    }
    if (r->progress)
        fprintf(stderr, "\r%zu/%zu files, %zu cases, %zu failed", atomic_load(&r->files_done), r->list.n,
                atomic_load(&r->done_cases), atomic_load(&r->failed));
    pthread_mutex_unlock(&r->out_lock);
}

static void *worker(void *arg)
{
    run *r = arg;
    for (;;) {
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        size_t i = atomic_fetch_add(&r->next_file, 1);
        if (i < r->list.n) {
            job *j = open_job(r, r->list.path[i], out);
            if (j) {
                pthread_mutex_lock(&r->lock);
                j->nxt = r->active;
                if (r->active)
                    r->active->prev = j;
                r->active = j;
                pthread_mutex_unlock(&r->lock);
                work_on(r, j, out);
                pthread_mutex_lock(&r->lock);
                if (j->prev) j->prev->nxt = j->nxt; else r->active = j->nxt;
                if (j->nxt) j->nxt->prev = j->prev;
                while (j->helpers)
                    pthread_cond_wait(&r->helpers_done, &r->lock);
                pthread_mutex_unlock(&r->lock);
                pv_st_free(j->file);
                free(j->first);
                free(j);
            }
            atomic_fetch_add(&r->files_done, 1);
        } else {
            /* No file left: help a file whose cases are still being taken. */
            pthread_mutex_lock(&r->lock);
            job *j = r->active;
            while (j && atomic_load(&j->next) >= j->total)
                j = j->nxt;
            if (j)
                j->helpers++;
            pthread_mutex_unlock(&r->lock);
            if (!j) {
                fclose(out);
                free(buf);
                break;
            }
            work_on(r, j, out);
            pthread_mutex_lock(&r->lock);
            j->helpers--;
            pthread_cond_broadcast(&r->helpers_done);
            pthread_mutex_unlock(&r->lock);
        }
        fclose(out);
        flush_output(r, buf, len);
        free(buf);
    }
    pv_interp_thread_cleanup();
    return NULL;
}

int pv_cmd_statetest(int argc, char **argv)
{
    run r;
    memset(&r, 0, sizeof r);
    pthread_mutex_init(&r.out_lock, NULL);
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.helpers_done, NULL);
    long threads = sysconf(_SC_NPROCESSORS_ONLN);
    bool any_path = false;
    size_t bad_paths = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) {
            r.json = true;
        } else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
            r.verbose = true;
        } else if (strcmp(a, "--fork") == 0 && i + 1 < argc) {
            r.only_fork = argv[++i];
            pv_fork f;
            if (!pv_fork_from_name(r.only_fork, &f)) {
                fprintf(stderr, "error: --fork: unknown fork name '%s'\n", r.only_fork);
                return 2;
            }
        } else if (strcmp(a, "--threads") == 0 && i + 1 < argc) {
            threads = strtol(argv[++i], NULL, 10);
            if (threads < 1 || threads > 256) {
                fprintf(stderr, "error: --threads: expected 1..256\n");
                return 2;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "error: unknown option '%s'\n"
                            "usage: parevm statetest [--fork NAME] [--json] [--verbose] [--threads N] PATH...\n", a);
            return 2;
        } else {
            any_path = true;
            if (!collect(&r.list, a, true)) {
                fprintf(stdout, "error: %s: cannot read: %s\n", a, strerror(errno));
                bad_paths++;
            }
        }
    }
    if (!any_path) {
        fprintf(stderr, "usage: parevm statetest [--fork NAME] [--json] [--verbose] [--threads N] PATH...\n");
        return 2;
    }
    r.progress = isatty(2) && !r.json;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256u << 20);   /* the interpreter recurses 1024 frames deep */
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    for (long i = 0; i < threads; i++)
        if (pthread_create(&tids[i], &attr, worker, &r) != 0) {
            fprintf(stderr, "error: cannot start thread\n");
            return 2;
        }
    for (long i = 0; i < threads; i++)
        pthread_join(tids[i], NULL);
    free(tids);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (r.progress)
        fputs("\r\033[K", stderr);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    size_t errors = atomic_load(&r.errors) + bad_paths;
    if (!r.json) {
        fprintf(stderr, "%zu files in %.2f s, %zu input errors\n", r.list.n, secs, errors);
    }
    for (size_t i = 0; i < r.list.n; i++)
        free(r.list.path[i]);
    free(r.list.path);
    size_t skipped = atomic_load(&r.skipped);
    printf("%zu passed, %zu failed", atomic_load(&r.passed), atomic_load(&r.failed));
    if (skipped)
        printf(", %zu skipped", skipped);
    printf("\n");
    return atomic_load(&r.failed) || errors ? 1 : 0;
}
