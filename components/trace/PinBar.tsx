'use client';
/**
 * Which revision the answer is about, and the link that reproduces it: the
 * query pinned with `at=` so anyone opening it later sees this same trace.
 */
import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/Button';

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (an http origin, a locked-down browser): the old way.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

export function PinBar({ revision, pinned, href }: { revision: number; pinned: boolean; href: string }) {
  const [absolute, setAbsolute] = useState(href);
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => setAbsolute(new URL(href, window.location.origin).toString()), [href]);
  useEffect(() => setCopied('idle'), [href]);

  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
      <span>
        {pinned ? 'Pinned to' : 'Answer at'} revision <strong data-testid="trace-revision">{revision}</strong>
      </span>
      <a href={absolute} aria-label="Link to this trace" className="font-mono text-xs break-all text-sky-800 underline dark:text-sky-300">
        {absolute}
      </a>
      <Button size="sm" onClick={() => void copyText(absolute).then((ok) => setCopied(ok ? 'copied' : 'failed'))}>
        Copy link
      </Button>
      <span role="status" aria-live="polite" className="text-xs text-slate-600 dark:text-slate-300">
        {copied === 'copied' ? 'Link copied' : copied === 'failed' ? 'Could not copy: select the link and copy it' : ''}
      </span>
    </div>
  );
}
