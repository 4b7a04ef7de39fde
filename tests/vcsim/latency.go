package main

// Latency of a real vCenter, which vcsim on loopback does not have:
//
//   - -delay D (control: "delay D"): every SOAP request waits D before it is dispatched. The
//     wait happens in the request's own goroutine, before vcsim takes any lock, so concurrent
//     requests wait side by side and the server is not serialized.
//   - -task-duration D (control: "task-duration D"): ReconfigVM_Task and ApplyEvcModeVM_Task
//     return their task at once in state "running"; the work is done D later, and only then
//     does the task become "success" or "error" (vcsim runs every task to the end before the
//     method returns). The change version is checked and the VM changed when the task
//     finishes, as on vCenter, where a reconfigure's checks run when the task executes.

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

var latency struct {
	delay        atomic.Int64 // time.Duration of the per-request delay
	taskDuration atomic.Int64 // time.Duration of our tasks
}

func requestDelay() time.Duration { return time.Duration(latency.delay.Load()) }

func taskDuration() time.Duration { return time.Duration(latency.taskDuration.Load()) }

// runTask runs a task made with simulator.CreateTask for entity: at once (vcsim's way) when no
// task duration is set, otherwise in the background after the task duration. The caller
// holds entity's lock (the SOAP dispatcher takes it); the background run takes it again.
func runTask(task *simulator.Task, entity mo.Reference) types.ManagedObjectReference {
	d := taskDuration()
	if d <= 0 {
		return task.Run()
	}
	simulator.Map.WithLock(task, func() {
		simulator.Map.Update(task, []types.PropertyChange{
			{Name: "info.startTime", Val: time.Now()},
			{Name: "info.state", Val: types.TaskInfoStateRunning},
		})
	})
	go func() {
		select {
		case <-time.After(d):
		case <-stopping:
			return // the launcher is stopping; the task stays running
		}
		var result types.AnyType
		var fault types.BaseMethodFault
		simulator.Map.WithLock(entity, func() { result, fault = task.Execute(task) })
		state := types.TaskInfoStateSuccess
		var taskError interface{}
		if fault != nil {
			state = types.TaskInfoStateError
			// As vcsim's Task.Run reports it.
			taskError = types.LocalizedMethodFault{Fault: fault, LocalizedMessage: fmt.Sprintf("%T", fault)}
		}
		simulator.Map.WithLock(task, func() {
			simulator.Map.Update(task, []types.PropertyChange{
				{Name: "info.completeTime", Val: time.Now()},
				{Name: "info.state", Val: state},
				{Name: "info.result", Val: result},
				{Name: "info.error", Val: taskError},
			})
		})
	}()
	return task.Self
}
