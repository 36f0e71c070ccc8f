// The whole site as files: the estate page and one page per domain of the newest run, each a
// self-contained HTML document. Yielded one at a time, so that a writer holds one page at once.

import type { ReportSeries } from '../../dmarc-reports/daily-series.js';
import { renderDomainPage } from './domain-page.js';
import { renderEstatePage } from './estate-page.js';
import { domainPageName } from './file-names.js';
import type { SiteHistory } from './site-model.js';

export interface SiteFile {
  /** Relative to the site's root, "/" separated. */
  path: string;
  content: string;
}

export function* renderSite(history: SiteHistory, series?: ReportSeries): Generator<SiteFile> {
  yield { path: 'index.html', content: renderEstatePage(history, series) };
  for (const domain of history.current) {
    const dmarc = series?.dmarc.get(domain.domain);
    const tls = series?.tls.get(domain.domain);
    yield {
      path: domainPageName(domain.domain),
      content: renderDomainPage({ domain, history, ...(dmarc ? { dmarc } : {}), ...(tls ? { tls } : {}) }),
    };
  }
}
