// wasi-libc has no __cxa_thread_atexit, which clang calls to register the
// destructor of a thread_local object (the runtime has a few: per-thread
// scratch, the C API's last-error string). A wasm32-wasi module has exactly one
// thread, so a thread_local object lives as long as the program: register its
// destructor like a static one's.
extern "C" int __cxa_atexit(void (*fn)(void*), void* arg, void* dso);

extern "C" int __cxa_thread_atexit(void (*fn)(void*), void* obj, void* dso) { return __cxa_atexit(fn, obj, dso); }
