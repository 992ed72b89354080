import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Icon } from '../ui/Icon';
import { Empty, Failed, Loading } from '../ui/states';
import { RelativeTime } from '../ui/time';
import { ArticleEditor } from './ArticleEditor';
import { type ArticleStatus, type KbArticle, kb, kbKeys } from './api';
import './kb.css';

/** The team's knowledge base: the articles the help center shows and the chat bot answers from. */
export function KnowledgeBasePage({ onMenu }: { onMenu(): void }) {
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<ArticleStatus | ''>('');
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const articles = useQuery({ queryKey: kbKeys.articles(q, status), queryFn: () => kb.articles(q.trim(), status) });
  const open = useQuery({
    queryKey: kbKeys.article(typeof editing === 'number' ? editing : 0),
    queryFn: () => kb.article(editing as number),
    enabled: typeof editing === 'number',
  });

  let list: ReactNode;
  if (articles.isPending) list = <Loading label="Loading articles…" />;
  else if (articles.isError) list = <Failed what="the articles" error={articles.error} retry={() => void articles.refetch()} />;
  else if (articles.data.items.length === 0)
    list = (
      <Empty title={q ? 'No article matches' : 'No articles yet'}>Write the answers your customers ask for most: the bot answers from published ones.</Empty>
    );
  else
    list = (
      <ul className="kb-list">
        {articles.data.items.map((a) => (
          <li key={a.id}>
            <button type="button" className="kb-item" onClick={() => setEditing(a.id)} aria-current={editing === a.id || undefined}>
              <span className="kb-item-title">{a.title}</span>
              <span className={`pill pill-${a.status}`}>{a.status === 'published' ? 'Published' : 'Draft'}</span>
              <span className="kb-item-excerpt">{a.excerpt}</span>
              <span className="kb-item-time">
                Updated <RelativeTime at={a.updatedAt} />
              </span>
            </button>
          </li>
        ))}
      </ul>
    );

  let editor = null;
  if (editing === 'new')
    editor = (
      <ArticleEditor
        key="new"
        article={null}
        onSaved={(a: KbArticle) => setEditing(a.id)}
        onDeleted={() => setEditing(null)}
        onCancel={() => setEditing(null)}
      />
    );
  else if (typeof editing === 'number') {
    if (open.isPending) editor = <Loading label="Opening the article…" />;
    else if (open.isError) editor = <Failed what="the article" error={open.error} retry={() => void open.refetch()} />;
    else
      editor = (
        <ArticleEditor
          key={`${open.data.article.id}-${open.data.article.updatedAt}`}
          article={open.data.article}
          onSaved={() => void open.refetch()}
          onDeleted={() => setEditing(null)}
          onCancel={() => setEditing(null)}
        />
      );
  }

  return (
    <main className="kb-page" aria-labelledby="kb-title">
      <header className="page-header">
        <button type="button" className="icon-button menu-button" onClick={onMenu} aria-label="Show views">
          <Icon name="menu" size={20} />
        </button>
        <h1 id="kb-title">Knowledge base</h1>
        <a className="button button-small" href="/help" target="_blank" rel="noreferrer">
          Help center
        </a>
        <button type="button" className="button button-primary button-small" onClick={() => setEditing('new')}>
          New article
        </button>
      </header>
      <div className="page-body kb-layout">
        <section aria-label="Articles" className="kb-articles">
          <div className="kb-filters">
            <input type="search" aria-label="Search articles" placeholder="Search articles" value={q} onChange={(e) => setQ(e.target.value)} maxLength={200} />
            <select aria-label="Status" value={status} onChange={(e) => setStatus(e.target.value as ArticleStatus | '')}>
              <option value="">All</option>
              <option value="published">Published</option>
              <option value="draft">Drafts</option>
            </select>
          </div>
          {list}
        </section>
        <section aria-label="Article" className="kb-open">
          {editor ?? <Empty title="Pick an article, or write a new one" />}
        </section>
      </div>
    </main>
  );
}
