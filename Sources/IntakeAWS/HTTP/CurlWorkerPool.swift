import CCurl
import Foundation

/// Dedicated threads for libcurl's blocking `curl_easy_perform`, so it never runs on Swift's
/// cooperative pool. Each thread owns one easy handle for its whole life, which keeps
/// connections alive between requests. Threads are started on demand up to `maxThreads`.
final class CurlWorkerPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [CurlTransfer] = []
    private var queueHead = 0
    private var idle = 0
    private var threads = 0
    private var shuttingDown = false
    private let maxThreads: Int
    private let name: String

    init(maxThreads: Int, name: String) {
        precondition(CurlGlobal.initialized, "curl_global_init failed")
        self.maxThreads = max(1, maxThreads)
        self.name = name
    }

    /// Returns false after shutdown.
    func submit(_ transfer: CurlTransfer) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if shuttingDown { return false }
        queue.append(transfer)
        let waiting = queue.count - queueHead
        if waiting > idle && threads < maxThreads {
            threads += 1
            let thread = Thread { [self] in work() }
            thread.name = "\(name)-\(threads)"
            thread.stackSize = 512 * 1024
            thread.start()
        }
        condition.signal()
        return true
    }

    /// Lets queued and running transfers finish; threads exit when the queue is empty.
    func shutdown() {
        condition.lock()
        shuttingDown = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        guard let handle = curl_easy_init() else {
            condition.lock()
            threads -= 1
            condition.unlock()
            return
        }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        defer {
            errorBuffer.deallocate()
            curl_easy_cleanup(handle)
        }
        while true {
            condition.lock()
            while queueHead == queue.count && !shuttingDown {
                idle += 1
                condition.wait()
                idle -= 1
            }
            if queueHead == queue.count {
                threads -= 1
                condition.unlock()
                return
            }
            let transfer = queue[queueHead]
            queueHead += 1
            if queueHead == queue.count {
                queue.removeAll(keepingCapacity: true)
                queueHead = 0
            }
            condition.unlock()
            transfer.run(on: handle, errorBuffer: errorBuffer)
        }
    }
}
