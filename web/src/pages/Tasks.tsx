// Scheduled tasks (cleanup, Docker GC, compaction, upload purge, backup): state, schedule, last result, a
// "Run now" that follows the run until it ends, and each task's history with its logs.
import { useEffect, useState } from 'react';
import { api } from '../api';
import { date, duration } from '../format';
import { Link } from '../router';
import { useSession } from '../session';
import type { Task, TaskRun } from '../types';
import { Badge, ErrorNote, Loading, PageHeader, Section, Table, useAction, useLoad } from '../ui';

const schedule = (t: Task) => (t.frequency === 'cron' ? <code>{t.cron}</code> : `${t.frequency}${t.startTime ? ` at ${t.startTime}` : ''}`);

export function resultBadge(result: string | null) {
  if (!result) return <Badge>never run</Badge>;
  return <Badge tone={result === 'OK' || result === 'ok' ? 'ok' : result === 'running' ? 'info' : 'danger'}>{result.toLowerCase()}</Badge>;
}

export function Tasks() {
  const { can } = useSession();
  const { data, error, loading, reload } = useLoad(() => api<{ items: Task[] }>('/tasks').then((p) => p.items), []);
  const action = useAction();
  const running = (data ?? []).some((t) => t.currentState === 'RUNNING');
  // While something runs, follow it: the list refreshes every second until every task waits again.
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(reload, 1000);
    return () => clearInterval(timer);
  }, [running, reload]);

  const runNow = (t: Task) => action.run(async () => { await api(`/tasks/${t.id}/run`, { method: 'POST' }); reload(); });
  return (
    <>
      <PageHeader title="Tasks" subtitle="Maintenance that runs on a schedule, one runner at a time across nodes." />
      <ErrorNote error={error ?? action.error} />
      <Table<Task>
        caption="Tasks" rows={data ?? []} rowKey={(t) => t.id} loading={loading && !data}
        columns={[
          { header: 'Name', cell: (t) => <Link to={`/admin/tasks/${t.id}`}><strong>{t.name}</strong></Link> },
          { header: 'Type', cell: (t) => <span className="mono">{t.type}</span> },
          { header: 'Schedule', cell: schedule },
          { header: 'State', cell: (t) => (t.currentState === 'RUNNING' ? <span className="running" role="status"><span className="spinner" aria-hidden="true" />running</span> : t.enabled ? 'waiting' : <Badge>disabled</Badge>) },
          { header: 'Last run', cell: (t) => <>{resultBadge(t.lastRunResult)} <span className="muted">{date(t.lastRun)} · {duration(t.lastRunDurationMs)}</span>{t.message && <div className="small-text">{t.message}</div>}</> },
          { header: 'Next run', cell: (t) => date(t.nextRun) },
          { header: <span className="sr-only">Actions</span>, cell: (t) => can('tasks', 'start') && <button type="button" className="small" disabled={t.currentState === 'RUNNING' || action.busy} onClick={() => void runNow(t)}>Run now</button> },
        ]}
      />
    </>
  );
}

export function TaskHistory({ id }: { id: string }) {
  const task = useLoad(() => api<Task>(`/tasks/${encodeURIComponent(id)}`), [id]);
  const history = useLoad(() => api<{ items: TaskRun[] }>(`/tasks/${encodeURIComponent(id)}/history`).then((h) => h.items), [id]);
  const [open, setOpen] = useState<number>();
  const running = task.data?.currentState === 'RUNNING';
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => { task.reload(); history.reload(); }, 1000);
    return () => clearInterval(timer);
  }, [running]); // eslint-disable-line react-hooks/exhaustive-deps

  if (task.loading && !task.data) return <Loading />;
  return (
    <>
      <PageHeader crumbs={<><Link to="/admin/tasks">Tasks</Link> / </>} title={task.data?.name ?? id} subtitle={task.data && <><span className="mono">{task.data.type}</span> · {schedule(task.data)}</>} />
      <ErrorNote error={task.error ?? history.error} />
      {task.data && Object.keys(task.data.properties).length > 0 && (
        <Section title="Properties"><dl className="props">{Object.entries(task.data.properties).map(([k, v]) => <div key={k}><dt>{k}</dt><dd className="mono">{String(v)}</dd></div>)}</dl></Section>
      )}
      <Section title="History">
        <Table<TaskRun>
          caption="Runs" rows={history.data ?? []} rowKey={(r) => String(r.id)} loading={history.loading && !history.data} empty="This task has not run yet."
          columns={[
            { header: 'Started', cell: (r) => date(r.startedAt) },
            { header: 'Result', cell: (r) => resultBadge(r.state) },
            { header: 'Trigger', cell: (r) => r.trigger },
            { header: 'Duration', cell: (r) => duration(r.durationMs), className: 'num' },
            { header: 'Message', cell: (r) => r.message },
            { header: 'Log', cell: (r) => (r.log.length ? <button type="button" className="small" aria-expanded={open === r.id} onClick={() => setOpen(open === r.id ? undefined : r.id)}>{open === r.id ? 'Hide' : `Show ${r.log.length} lines`}</button> : '—') },
          ]}
        />
        {open !== undefined && <pre className="log" aria-label="Run log">{history.data?.find((r) => r.id === open)?.log.join('\n')}</pre>}
      </Section>
    </>
  );
}
