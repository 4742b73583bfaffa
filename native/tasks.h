// Every task of this process as /proc shows it, in one call: the pre-check's names and the
// verification's credentials (issue 14: /proc read and parsed at C speed, not file by file
// from JavaScript). Reentrant (no static buffers), so a Worker may call it too.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace caps {

// What ReadTasks reads of each task.
enum TaskReadMode : int {
  kReadComm = 0,    // /proc/self/task/<tid>/comm: the name only (flags kTaskIoUring)
  kReadStatus = 1,  // /proc/self/task/<tid>/status: the name and the credentials
};

// Words of one task's record in `words` (int32), in this order.
enum TaskWord : int {
  kTaskTid = 0,
  kTaskErr,           // 0, -errno of open/read (-ENOENT, -ESRCH: the task exited), or kTaskMalformed
  kTaskFlags,         // kTaskIoUring | kTaskHasAmbient | kTaskHasNoNewPrivs | kTaskNoNewPrivs | kTaskHasSeccomp
  kTaskUid,           // 4 words: real, effective, saved, fs
  kTaskGid = kTaskUid + 4,  // 4 words
  kTaskGroupsAt = kTaskGid + 4,  // index into `groups`
  kTaskGroupsCount,
  kTaskSeccomp,
  kTaskMalformedLine, // with kTaskMalformed: the 1-based line that is wrong, or 0 for a missing key
  kTaskMalformedKey,  // with kTaskMalformed: which key (an index into kStatusKeys)
  kTaskThreads,       // Threads: the thread group's count as this task's status gave it, or -1
  kTaskWords,
};

// Capability words of one task in `masks` (uint64), in this order.
enum TaskMask : int { kMaskInh = 0, kMaskPrm, kMaskEff, kMaskBnd, kMaskAmb, kTaskMasks };

constexpr int kTaskIoUring = 1;        // comm starts with "iou-": an io_uring worker (spec §3.5)
constexpr int kTaskHasAmbient = 2;     // CapAmb: present (kernels ≥ 4.3)
constexpr int kTaskHasNoNewPrivs = 4;  // NoNewPrivs: present (kernels ≥ 4.10)
constexpr int kTaskNoNewPrivs = 8;
constexpr int kTaskHasSeccomp = 16;

constexpr int kTaskMalformed = -1004;  // the status file is not one the kernel writes

// The status keys ReadTasks reads, in the order kTaskMalformedKey numbers them.
constexpr const char* kStatusKeys[] = {"Name", "Pid", "Uid", "Gid", "Groups", "CapInh", "CapPrm",
                                       "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp", "Threads"};
constexpr int kStatusKeyCount = sizeof kStatusKeys / sizeof kStatusKeys[0];

struct TaskBuffers {
  int32_t* words;     // capacity * kTaskWords
  uint64_t* masks;    // capacity * kTaskMasks
  size_t capacity;    // tasks
  uint32_t* groups;   // supplementary groups of every task, one after another
  size_t group_capacity;
};

struct TaskCount {
  int status;             // 0, -errno of /proc/self/task, or kStatusNotProcfs (broadcast.h)
  size_t tasks;           // tasks listed (records written: min(tasks, capacity))
  size_t groups;          // group ids needed (written: those that fit)
  long threads_before;    // the group's Threads: count in the first status read after the
  long threads_after;     //   listing, and in the last (-1: none read): issue 11 F1's cross-check
};

// Lists /proc/self/task (checked to be procfs) and reads each task. Every task's status shows
// its thread group's Threads: count (fs/proc/array.c task_sig), so the listing's cross-check
// against the kernel's count costs no extra read. When `tasks` exceeds the
// capacity or `groups` the group capacity, call again with larger buffers.
TaskCount ReadTasks(TaskReadMode mode, const TaskBuffers& out);

// Parses one task's status text into its record (words and masks zeroed by the caller); false,
// with kTaskMalformed and the line and key in the record, if it is not one the kernel writes.
// A task whose Threads: is 0 has exited (it released its signal handlers): true, with -ESRCH
// as the record's error, as if its file had gone. Group ids are appended at *groups_used
// (counted even where they do not fit).
bool ParseTaskStatus(const char* text, size_t len, int tid, int32_t* words, uint64_t* masks,
                     const TaskBuffers& out, size_t* groups_used);

}  // namespace caps
