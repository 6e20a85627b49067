// ---------------------------------------------------------------------------
// npde: a sweep and a second thread that follows it level by level.
//
// The objective lets a second thread compute the misfit behind the forward
// sweep, and the weights w^n = Bᵀμ^n (with the terms' backward passes)
// behind the adjoint sweep (objective.cc says when that is safe). This is
// the synchronisation both use: a counter of the levels that are final.
// ---------------------------------------------------------------------------
#ifndef npde_overlapped_h
#define npde_overlapped_h

#include <atomic>
#include <functional>
#include <thread>

#include <tbb/task_group.h>

namespace npde
{
  /**
   * Runs sweep(report) on this thread and follow(wait, ready) as a TBB
   * task. The sweep calls report(c) once its first c results are final;
   * follow calls wait(c) before it reads the c-th, and waits until then;
   * ready(c) tells whether the c-th is final, without waiting. If the
   * sweep throws (Newton failed), follow is stopped and the exception
   * passed on. Returns what follow returns.
   *
   * A TBB task rather than a thread of its own: the network's passes just
   * before the sweeps ran on TBB's workers, which keep spinning for a
   * while afterwards. A separate thread would share the second core with
   * such a worker; as a task, the worker itself runs follow. If no worker
   * takes the task, wait() below runs it on this thread after the sweep,
   * when every result it waits for is final, so it cannot block.
   */
  template <typename Sweep, typename Follow>
  double
  overlapped(const Sweep &sweep, const Follow &follow)
  {
    struct Cancelled
    {
    };
    std::atomic<unsigned int>               done{0};
    std::atomic<bool>                       cancelled{false};
    const std::function<void(unsigned int)> wait = [&](const unsigned int c) {
      while (done.load(std::memory_order_acquire) < c)
        {
          if (cancelled.load(std::memory_order_acquire))
            throw Cancelled();
          std::this_thread::yield();
        }
    };
    const std::function<bool(unsigned int)> ready = [&](const unsigned int c) {
      return done.load(std::memory_order_acquire) >= c;
    };
    const std::function<void(unsigned int)> report = [&](const unsigned int c) {
      done.store(c, std::memory_order_release);
    };
    double          result = 0;
    tbb::task_group follower;
    follower.run([&]() { result = follow(wait, ready); });
    try
      {
        sweep(report);
      }
    catch (...)
      {
        cancelled.store(true, std::memory_order_release);
        try
          {
            follower.wait();
          }
        catch (const Cancelled &)
          {
          }
        throw;
      }
    follower.wait();
    return result;
  }
} // namespace npde

#endif
