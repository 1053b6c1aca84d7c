/*
 * sparsecc_insn: a qemu TCG plugin counting guest instructions per sparsecc layer.
 *
 * The runtime (runtime_cpp/src/layer_markers.h) with SPARSECC_LAYER_MARKERS=1 makes
 * getppid() calls whose unused argument registers carry (magic, layer, phase) at the
 * start (phase 0) and end (phase 1) of every layer of a profiled run. This plugin
 * counts executed instructions with an inline add of each translation block's
 * instruction count when the block starts executing (cheap: no callback per block),
 * and on each marker reads that counter. Per layer it sums the instructions between
 * begin and end over all runs (warm-up included) and keeps the per-run min and max.
 *
 * Limits (docs/profiling.md): a block is counted whole when it starts, so a layer
 * boundary inside a block is off by at most that block's length; the counter is one
 * shared, unsynchronised u64, exact with one thread (use --threads 1).
 *
 * Usage: qemu-aarch64 -plugin ./libsparsecc_insn.so,out=counts.json PROGRAM ...
 * Writes JSON at exit: {"plugin": "sparsecc_insn", "version": 1, "total_instructions": N,
 *   "markers": M, "layers": [{"index", "runs", "instructions", "min", "max"}, ...]}
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MARKER_SYSCALL 173          /* getppid on aarch64 (asm-generic numbering) */
#define MARKER_MAGIC 0x5CC1A7E5ULL  /* kLayerMarkerMagic in layer_markers.h */

typedef struct {
    uint64_t runs, total, min, max, begin;
    int open;
} Layer;

static uint64_t insn_count;  /* executed guest instructions (inline-incremented) */
static uint64_t markers;
static Layer *layers;
static size_t n_layers;
static char *out_path;

static Layer *layer_at(uint64_t k)
{
    if (k >= 1u << 20) {
        return NULL;  /* not a plausible layer index: ignore */
    }
    if (k >= n_layers) {
        size_t n = (size_t)k + 64;
        Layer *grown = realloc(layers, n * sizeof(Layer));
        if (!grown) {
            return NULL;
        }
        memset(grown + n_layers, 0, (n - n_layers) * sizeof(Layer));
        layers = grown;
        n_layers = n;
    }
    return &layers[k];
}

static void on_syscall(qemu_plugin_id_t id, unsigned int vcpu, int64_t num, uint64_t a1, uint64_t a2,
                       uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7, uint64_t a8)
{
    if (num != MARKER_SYSCALL || a1 != MARKER_MAGIC) {
        return;
    }
    Layer *l = layer_at(a2);
    if (!l) {
        return;
    }
    markers++;
    if (a3 == 0) {
        l->begin = insn_count;
        l->open = 1;
    } else if (l->open) {
        uint64_t n = insn_count - l->begin;
        l->open = 0;
        l->total += n;
        l->min = l->runs == 0 || n < l->min ? n : l->min;
        l->max = n > l->max ? n : l->max;
        l->runs++;
    }
}

static void on_tb_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &insn_count,
                                             qemu_plugin_tb_n_insns(tb));
}

static void write_counts_at_exit(qemu_plugin_id_t id, void *p)
{
    FILE *f = out_path ? fopen(out_path, "w") : stderr;
    if (!f) {
        fprintf(stderr, "sparsecc_insn: cannot write %s\n", out_path);
        return;
    }
    size_t last = 0;
    for (size_t k = 0; k < n_layers; k++) {
        if (layers[k].runs) {
            last = k + 1;
        }
    }
    fprintf(f, "{\"plugin\": \"sparsecc_insn\", \"version\": 1, \"total_instructions\": %" PRIu64
            ", \"markers\": %" PRIu64 ", \"layers\": [", insn_count, markers);
    for (size_t k = 0; k < last; k++) {
        const Layer *l = &layers[k];
        fprintf(f, "%s\n {\"index\": %zu, \"runs\": %" PRIu64 ", \"instructions\": %" PRIu64
                ", \"min\": %" PRIu64 ", \"max\": %" PRIu64 "}", k ? "," : "", k, l->runs, l->total,
                l->min, l->max);
    }
    fprintf(f, "]}\n");
    if (f != stderr) {
        fclose(f);
    }
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                           char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "out=", 4) == 0) {
            out_path = strdup(argv[i] + 4);
        } else {
            fprintf(stderr, "sparsecc_insn: unknown argument %s (expected out=PATH)\n", argv[i]);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_translate);
    qemu_plugin_register_vcpu_syscall_cb(id, on_syscall);
    qemu_plugin_register_atexit_cb(id, write_counts_at_exit, NULL);
    return 0;
}
