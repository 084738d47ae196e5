/** The web console's page of a job, relative to the API's base URL. */
export function jobPagePath(jobId: string): string {
  return `/ui/jobs/${encodeURIComponent(jobId)}`;
}

/**
 * The job page's address for links in messages (Slack, callbacks, tickets): api.publicUrl
 * + /ui/jobs/{id}, or undefined without a public URL (a relative link means nothing there).
 */
export function jobPageUrl(publicUrl: string | undefined, jobId: string): string | undefined {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}${jobPagePath(jobId)}` : undefined;
}
