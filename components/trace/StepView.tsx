/**
 * One typed step of a hop, rendered as a person reads it: the route as
 * `ip route` prints it, the neighbour or FDB entry used, inner and outer
 * headers with VNI and ports, the MTU. Exhaustive over Step['action'].
 */
import type { ReactNode } from 'react';
import type { PacketHeaders, Step, StepOutcome } from '@/lib/trace/types';
import { DROP_REASONS, addressPair, encapLine, packetLine, protocolName } from './format';

const ACTION_LABEL: Record<Step['action'], string> = {
  originated: 'sent',
  received: 'received',
  'veth-crossed': 'veth',
  routed: 'route',
  'neighbor-resolved': 'neighbour',
  bridged: 'bridge',
  'fdb-resolved': 'FDB',
  encapsulated: 'encapsulate',
  decapsulated: 'decapsulate',
  transmitted: 'transmit',
  delivered: 'delivered',
  exited: 'exits',
  dnat: 'DNAT',
  dropped: 'dropped',
  'insufficient-information': 'unknown',
};

const OUTCOME_STYLE: Record<StepOutcome, string> = {
  ok: 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200',
  dropped: 'bg-red-100 text-red-800 dark:bg-red-900/70 dark:text-red-100',
  unknown: 'bg-amber-100 text-amber-900 dark:bg-amber-900/70 dark:text-amber-100',
};

function Code({ children, label }: { children: ReactNode; label?: string }) {
  return (
    <code aria-label={label} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-[13px] break-all text-slate-900 dark:bg-slate-800 dark:text-slate-100">
      {children}
    </code>
  );
}

function Field({ name, children }: { name: string; children: ReactNode }) {
  return (
    <div className="flex flex-wrap gap-x-2 text-sm">
      <dt className="text-slate-500 dark:text-slate-400">{name}</dt>
      <dd className="min-w-0">{children}</dd>
    </div>
  );
}

/** Inner and outer headers side by side, as a small table. */
export function HeaderTable({ rows, caption }: { rows: Array<{ name: string; p: PacketHeaders }>; caption: string }) {
  return (
    <table className="mt-1 w-full max-w-2xl border-collapse text-left text-[13px]">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr className="text-slate-500 dark:text-slate-400">
          <th scope="col" className="py-0.5 pr-3 font-medium">header</th>
          <th scope="col" className="py-0.5 pr-3 font-medium">protocol</th>
          <th scope="col" className="py-0.5 pr-3 font-medium">source → destination</th>
          <th scope="col" className="py-0.5 pr-3 font-medium">TTL</th>
          <th scope="col" className="py-0.5 font-medium">bytes</th>
        </tr>
      </thead>
      <tbody className="font-mono">
        {rows.map(({ name, p }) => (
          <tr key={name} className="border-t border-slate-200 dark:border-slate-700">
            <th scope="row" className="py-0.5 pr-3 font-sans font-medium">{name}</th>
            <td className="py-0.5 pr-3">{protocolName(p.protocol)}</td>
            <td className="py-0.5 pr-3 break-all">{addressPair(p)}</td>
            <td className="py-0.5 pr-3">{p.ttl}</td>
            <td className="py-0.5">{p.length}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function StepBody({ step }: { step: Step }) {
  switch (step.action) {
    case 'originated':
      return <Field name="packet"><Code>{packetLine(step.packet)}</Code></Field>;
    case 'received':
      return (
        <>
          <Field name="on">{step.interface}</Field>
          <Field name="packet"><Code>{packetLine(step.packet)}</Code></Field>
          {(step.packet.srcMac !== undefined || step.packet.dstMac !== undefined) && (
            <Field name="frame"><Code>{`${step.packet.srcMac ?? '?'} → ${step.packet.dstMac ?? '?'}`}</Code></Field>
          )}
        </>
      );
    case 'veth-crossed':
      return (
        <>
          <Field name="peer">{step.peer}</Field>
          <Field name="paired by">{step.evidence}</Field>
        </>
      );
    case 'routed':
      return (
        <>
          <Field name="matched"><Code label="matched route">{step.route}</Code></Field>
          <Field name="table">{step.table}</Field>
          {step.rule !== undefined && <Field name="rule"><Code>{step.rule}</Code></Field>}
          {step.nextHop !== undefined && <Field name="next hop">{step.nextHop}</Field>}
          {step.outInterface !== undefined && <Field name="out">{step.outInterface}</Field>}
          {step.forwarded && <Field name="TTL">decremented (forwarding hop)</Field>}
        </>
      );
    case 'neighbor-resolved':
      return (
        <>
          <Field name="resolves">{`${step.ip} → ${step.mac}`}</Field>
          <Field name="entry">{step.entry !== '' ? <Code label="neighbour entry">{step.entry}</Code> : 'none captured (ARP would answer)'}</Field>
        </>
      );
    case 'bridged':
      return (
        <>
          <Field name="bridge">{step.bridge}</Field>
          <Field name="to">{step.toHost ? 'the host stack (frame addressed to the bridge)' : (step.outPort ?? 'flooded')}</Field>
          {step.entry !== undefined && <Field name="FDB"><Code label="bridge FDB entry">{step.entry}</Code></Field>}
        </>
      );
    case 'fdb-resolved':
      return (
        <>
          <Field name="VTEP">{`${step.mac} → ${step.remote}`}</Field>
          <Field name="FDB"><Code label="FDB entry">{step.entry}</Code></Field>
        </>
      );
    case 'encapsulated':
      return (
        <>
          <Field name="encapsulation"><Code label="encapsulation">{encapLine(step.encap)}</Code></Field>
          <HeaderTable caption="inner and outer headers" rows={[{ name: 'outer', p: step.outer }, { name: 'inner', p: step.inner }]} />
        </>
      );
    case 'decapsulated':
      return (
        <>
          <Field name="encapsulation"><Code label="encapsulation">{encapLine(step.encap)}</Code></Field>
          <HeaderTable caption="inner headers after decapsulation" rows={[{ name: 'inner', p: step.inner }]} />
        </>
      );
    case 'transmitted':
      return (
        <>
          <Field name="by">{step.interface}</Field>
          {step.mtu !== undefined && <Field name="MTU">{step.mtu}</Field>}
        </>
      );
    case 'delivered':
      return <Field name="address">{step.address}</Field>;
    case 'exited':
      return (
        <>
          <Field name="towards">{step.towards}</Field>
          {step.nextHop !== undefined && <Field name="next hop">{step.nextHop}</Field>}
        </>
      );
    case 'dnat':
      return (
        <>
          <Field name="service">{step.service}</Field>
          <Field name="rewrites">
            <Code>
              {step.original} → {step.translated ?? step.endpoints.map((e) => `${e.ip}${e.port !== undefined ? `:${e.port}` : ''}`).join(' | ')}
            </Code>
          </Field>
          <Field name={step.hook}>
            <Code label="kube-proxy rule">{step.rule}</Code>
          </Field>
        </>
      );
    case 'dropped':
      return <Field name="reason">{DROP_REASONS[step.reason]}</Field>;
    case 'insufficient-information':
      return <Field name="missing">{step.missing}</Field>;
    default: {
      const never: never = step;
      return <span>{JSON.stringify(never)}</span>;
    }
  }
}

/** One step: its kind, what happened in words, and the evidence behind it. */
export function StepView({ step }: { step: Step }) {
  return (
    <li className="grid grid-cols-[6.5rem_1fr] gap-3 py-2" data-action={step.action} data-outcome={step.outcome}>
      <span className={`h-fit rounded px-2 py-0.5 text-center text-xs font-semibold uppercase tracking-wide ${OUTCOME_STYLE[step.outcome]}`}>
        {ACTION_LABEL[step.action]}
      </span>
      <div className="min-w-0 space-y-0.5">
        <p className="text-sm">{step.detail}</p>
        <dl className="space-y-0.5">
          <StepBody step={step} />
        </dl>
      </div>
    </li>
  );
}
