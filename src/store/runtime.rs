//! The process's one async runtime, for object-store I/O only. Compute stays on rayon: a rayon
//! thread that needs bytes blocks on a request here ([`block_on`]) while the runtime's own two
//! threads drive every connection, so many requests are in flight whatever the thread count.

use std::future::Future;
use std::sync::OnceLock;

/// Runtime threads: they only wait on sockets and decode HTTP, so two serve any number of
/// requests in flight.
const IO_THREADS: usize = 2;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(IO_THREADS)
            .thread_name("segcalc-io")
            .enable_all()
            .build()
            .expect("a runtime of two threads builds unless the process cannot start threads at all")
    })
}

/// Runs `future` to completion on the I/O runtime, blocking the calling thread (a rayon worker,
/// or the main thread). Never called from inside the runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    runtime().block_on(future)
}
