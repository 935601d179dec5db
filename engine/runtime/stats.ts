/**
 * From Docker's stats sample to the numbers the kubelet reports (metrics/summary style). Contract:
 * - CPU in nanocores over the interval between `precpu_stats` and `cpu_stats`: the container's CPU time
 *   delta divided by the wall time that the host's CPUs accumulated per CPU (the Docker CLI's formula,
 *   without its ×100), or by the read/preread interval when the system counter is missing (Windows,
 *   some Desktop VMs); 0 when there is no previous sample.
 * - memory is the working set as the kubelet defines it: usage minus inactive file cache (cgroup v1
 *   `total_inactive_file`, cgroup v2 `inactive_file`), never below 0.
 */
import type { ContainerStats } from './types.ts';

export interface DockerStatsSample {
  read?: string;
  preread?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
}

export function cpuNanoCores(s: DockerStatsSample): number {
  const cpu = s.cpu_stats?.cpu_usage?.total_usage;
  const precpu = s.precpu_stats?.cpu_usage?.total_usage;
  if (cpu === undefined || precpu === undefined || precpu === 0) return 0;
  const cpuDelta = cpu - precpu;
  if (cpuDelta <= 0) return 0;
  const onlineCpus = s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 1;
  const sys = s.cpu_stats?.system_cpu_usage;
  const presys = s.precpu_stats?.system_cpu_usage;
  if (sys !== undefined && presys !== undefined && presys > 0 && sys > presys) {
    // system_cpu_usage sums every host CPU's time: per-CPU wall time is the delta / onlineCpus.
    return Math.round((cpuDelta / ((sys - presys) / onlineCpus)) * 1e9);
  }
  const read = s.read ? Date.parse(s.read) : NaN;
  const preread = s.preread ? Date.parse(s.preread) : NaN;
  if (Number.isFinite(read) && Number.isFinite(preread) && read > preread) {
    return Math.round((cpuDelta / ((read - preread) * 1e6)) * 1e9);
  }
  return 0;
}

export function workingSetBytes(s: DockerStatsSample): number {
  const usage = s.memory_stats?.usage ?? 0;
  const stats = s.memory_stats?.stats ?? {};
  const inactive = stats.total_inactive_file ?? stats.inactive_file ?? 0;
  return Math.max(0, usage - inactive);
}

export function toContainerStats(s: DockerStatsSample): ContainerStats {
  return { cpuNanoCores: cpuNanoCores(s), memoryBytes: workingSetBytes(s), memoryLimitBytes: s.memory_stats?.limit ?? 0 };
}
