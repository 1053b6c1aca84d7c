/* sparsecc runtime: C API for applications (and JNI / JS bindings).
 *
 *   scc_model* model; scc_session* session;
 *   if (scc_model_load_file("net.scc", &model) != SCC_OK) fprintf(stderr, "%s\n", scc_last_error());
 *   scc_session_create(model, 1, &session);
 *   scc_session_run(session, inputs, n_inputs, outputs, n_outputs);
 *   scc_session_free(session); scc_model_free(model);
 *
 * Every function returns an scc_status (SCC_OK = 0) and never lets a C++
 * exception escape. On failure, scc_last_error() returns a message describing
 * the last error of the calling thread (valid until the next failing call on
 * that thread). A model may be freed while sessions created from it are alive
 * (they keep it alive). A session must not be used by two threads at once.
 */
#ifndef SPARSECC_C_API_H_
#define SPARSECC_C_API_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int scc_status;
#define SCC_OK 0
#define SCC_ERROR_INVALID_ARGUMENT 1 /* null pointer, index out of range, wrong count */
#define SCC_ERROR_MODEL 2            /* malformed or unsupported model file */
#define SCC_ERROR_RUNTIME 3          /* failure while running (e.g. out of memory) */

typedef struct scc_model scc_model;
typedef struct scc_session scc_session;

const char* scc_last_error(void);

scc_status scc_model_load_file(const char* path, scc_model** out_model);
scc_status scc_model_load_bytes(const void* data, size_t size, scc_model** out_model);
scc_status scc_model_free(scc_model* model); /* NULL is accepted */

scc_status scc_session_create(const scc_model* model, int num_threads, scc_session** out_session);
scc_status scc_session_free(scc_session* session); /* NULL is accepted */

scc_status scc_session_num_inputs(const scc_session* session, size_t* out_count);
scc_status scc_session_num_outputs(const scc_session* session, size_t* out_count);
/* Names stay valid as long as the session lives. Shapes: *out_dims points to
 * *out_rank int64 values owned by the session. */
scc_status scc_session_input_name(const scc_session* session, size_t index, const char** out_name);
scc_status scc_session_input_shape(const scc_session* session, size_t index, const int64_t** out_dims,
                                   size_t* out_rank);
scc_status scc_session_output_name(const scc_session* session, size_t index, const char** out_name);
scc_status scc_session_output_shape(const scc_session* session, size_t index, const int64_t** out_dims,
                                    size_t* out_rank);

/* inputs[i] / outputs[i] hold the element count of input/output i's shape, float32. */
scc_status scc_session_run(scc_session* session, const float* const* inputs, size_t n_inputs,
                           float* const* outputs, size_t n_outputs);

/* Per-layer timing of the last run made with profiling enabled. */
scc_status scc_session_set_profiling(scc_session* session, int enabled);
scc_status scc_session_num_layer_timings(const scc_session* session, size_t* out_count);
scc_status scc_session_layer_timing(const scc_session* session, size_t index, const char** out_name,
                                    const char** out_op, const char** out_kernel, double* out_seconds);

#ifdef __cplusplus
}
#endif

#endif /* SPARSECC_C_API_H_ */
