import type { Metadata } from 'next';
import { UploadView } from '@/components/upload/UploadView';

export const metadata: Metadata = { title: 'Upload · podnet' };

/** `/upload`: add snapshot documents or transcripts to a cluster, with a preview first. */
export default function UploadPage() {
  return <UploadView />;
}
