/**
 * The docs site as files: built in memory from the contexts and a synthesized template (pure, so
 * tests render it without a disk), then written by {@link writeSite}.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContextDefinition } from '../../shared/kit/context.ts';
import { type ContextDoc, catalogDocs } from './catalog-docs.ts';
import {
  contextFile,
  renderContextPage,
  renderIndexPage,
  renderTopologyPage,
  TOPOLOGY_FILE,
} from './render-pages.ts';
import { type CfnTemplateJson, type Topology, topologyFromTemplate } from './topology.ts';

/** One page of the site. */
export interface SiteFile {
  /** Relative to the site's directory. */
  readonly path: string;
  readonly content: string;
}

/** The site and what it shows. */
export interface Site {
  readonly files: readonly SiteFile[];
  readonly contexts: readonly ContextDoc[];
  readonly topology: Topology;
  readonly counts: {
    readonly contexts: number;
    readonly events: number;
    readonly nodes: number;
    readonly edges: number;
  };
}

/** Builds every page: `index.html`, one `context-<name>.html` per context, `topology.html`. */
export function buildSite(input: {
  readonly contexts: readonly ContextDefinition[];
  readonly template: CfnTemplateJson;
  readonly stackName: string;
}): Site {
  const contexts = catalogDocs(input.contexts);
  const topology = topologyFromTemplate(input.template);
  const counts = {
    contexts: contexts.length,
    events: contexts.reduce((sum, c) => sum + c.events.length, 0),
    nodes: topology.nodes.length,
    edges: topology.edges.length,
  };
  const summary = `${counts.events} events in ${counts.contexts} contexts, ${counts.nodes} resources, ${counts.edges} connections`;
  const files: SiteFile[] = [
    { path: 'index.html', content: renderIndexPage(contexts, input.stackName, summary) },
    ...contexts.map((c) => ({ path: contextFile(c.name), content: renderContextPage(c, contexts) })),
    { path: TOPOLOGY_FILE, content: renderTopologyPage(topology, contexts, input.stackName) },
  ];
  return { files, contexts, topology, counts };
}

/** Writes the site's files into `dir` (created if missing); returns the paths written. */
export async function writeSite(site: Site, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  return Promise.all(
    site.files.map(async (file) => {
      const path = join(dir, file.path);
      await writeFile(path, file.content, 'utf8');
      return path;
    }),
  );
}
