//! A fault-injecting TCP proxy in front of an emulator: of the connections it accepts, a share
//! is dropped at once and a share answered `503 Slow Down`, each decided by a seeded generator;
//! the rest are piped through. Clients keep no idle connections in these tests
//! (`AWS_POOL_MAX_IDLE_PER_HOST=0`), so every request meets the dice.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

pub struct FaultProxy {
    pub port: u16,
    stop: Arc<AtomicBool>,
    /// Connections dropped or answered 503.
    pub faults: Arc<AtomicU64>,
    pub passed: Arc<AtomicU64>,
}

impl FaultProxy {
    /// Forwards 127.0.0.1:<new port> to `target`, failing `drop_percent` + `busy_percent` of
    /// the connections.
    pub fn start(target: u16, drop_percent: u64, busy_percent: u64, seed: u64) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let (faults, passed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (stop_flag, fault_count, pass_count) = (stop.clone(), faults.clone(), passed.clone());
        std::thread::spawn(move || {
            let mut state = seed | 1;
            while !stop_flag.load(Ordering::Relaxed) {
                let Ok((client, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(2));
                    continue;
                };
                // xorshift64: the same seed, the same faults.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let roll = state % 100;
                client.set_nonblocking(false).unwrap();
                if roll < drop_percent {
                    fault_count.fetch_add(1, Ordering::Relaxed);
                    let _ = client.shutdown(Shutdown::Both);
                } else if roll < drop_percent + busy_percent {
                    fault_count.fetch_add(1, Ordering::Relaxed);
                    std::thread::spawn(move || answer_busy(client));
                } else {
                    pass_count.fetch_add(1, Ordering::Relaxed);
                    std::thread::spawn(move || pipe(client, target));
                }
            }
        });
        Self { port, stop, faults, passed }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Reads the request head, then answers 503 as S3 does when throttling.
fn answer_busy(mut client: TcpStream) {
    let mut head = [0; 4096];
    let _ = client.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = client.read(&mut head);
    let body = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
    let _ = write!(
        client,
        "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = client.shutdown(Shutdown::Both);
}

/// Copies bytes both ways until either side closes.
fn pipe(client: TcpStream, target: u16) {
    let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
        return;
    };
    let (mut client_read, mut server_write) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let upstream = std::thread::spawn(move || {
        let _ = std::io::copy(&mut client_read, &mut server_write);
        let _ = server_write.shutdown(Shutdown::Write);
    });
    let (mut server_read, mut client_write) = (server, client);
    let _ = std::io::copy(&mut server_read, &mut client_write);
    let _ = client_write.shutdown(Shutdown::Write);
    let _ = upstream.join();
}
