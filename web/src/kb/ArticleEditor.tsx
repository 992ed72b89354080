import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { errorMessage } from '../api/client';
import { Dialog, DialogFormActions } from '../ui/Dialog';
import { showToast } from '../ui/toasts';
import { type ArticleStatus, type KbArticle, kb, kbKeys } from './api';

/** Writes one article: new when `article` is null. The preview is the server's own rendering, shown after saving. */
export function ArticleEditor({
  article,
  onSaved,
  onDeleted,
  onCancel,
}: {
  article: KbArticle | null;
  onSaved(article: KbArticle): void;
  onDeleted(): void;
  onCancel(): void;
}) {
  const client = useQueryClient();
  const categories = useQuery({ queryKey: kbKeys.categories, queryFn: kb.categories });
  const [title, setTitle] = useState(article?.title ?? '');
  const [body, setBody] = useState(article?.body ?? '');
  const [categoryId, setCategoryId] = useState<number | null>(article?.categoryId ?? null);
  const [status, setStatus] = useState<ArticleStatus>(article?.status ?? 'draft');
  const [newCategory, setNewCategory] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);

  const refresh = () => void client.invalidateQueries({ queryKey: ['kb'] });
  const save = useMutation({
    mutationFn: () => {
      const input = { title: title.trim(), body, categoryId, status };
      return article ? kb.update(article.id, input) : kb.create(input);
    },
    onSuccess: ({ article: saved }) => {
      setError(null);
      showToast('info', saved.status === 'published' ? `“${saved.title}” is published` : `“${saved.title}” is saved as a draft`);
      refresh();
      onSaved(saved);
    },
    onError: (failure) => setError(errorMessage(failure)),
  });
  const remove = useMutation({
    mutationFn: () => kb.remove(article!.id),
    onSuccess: () => {
      showToast('info', `“${article!.title}” was deleted`);
      refresh();
      onDeleted();
    },
    onError: (failure) => setError(errorMessage(failure)),
  });
  const addCategory = useMutation({
    mutationFn: () => kb.createCategory(newCategory.trim()),
    onSuccess: ({ category }) => {
      setCategoryId(category.id);
      setNewCategory('');
      void client.invalidateQueries({ queryKey: kbKeys.categories });
    },
    onError: (failure) => setError(errorMessage(failure)),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };

  return (
    <form className="card kb-editor" onSubmit={submit} aria-labelledby="kb-editor-title">
      <h2 id="kb-editor-title">{article ? 'Edit article' : 'New article'}</h2>
      <label className="field">
        <span>Title</span>
        <input required value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} />
      </label>
      <div className="form-grid">
        <label className="field">
          <span>Category</span>
          <select value={categoryId ?? ''} onChange={(e) => setCategoryId(e.target.value ? Number(e.target.value) : null)}>
            <option value="">No category</option>
            {(categories.data?.items ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>New category</span>
          <span className="inline-field">
            <input value={newCategory} onChange={(e) => setNewCategory(e.target.value)} maxLength={200} placeholder="e.g. Billing" />
            <button type="button" className="button button-small" disabled={!newCategory.trim() || addCategory.isPending} onClick={() => addCategory.mutate()}>
              Add
            </button>
          </span>
        </label>
        <fieldset className="field">
          <legend>Status</legend>
          <label>
            <input type="radio" name="kb-status" checked={status === 'draft'} onChange={() => setStatus('draft')} /> Draft (team only)
          </label>
          <label>
            <input type="radio" name="kb-status" checked={status === 'published'} onChange={() => setStatus('published')} /> Published (help center, bot)
          </label>
        </fieldset>
      </div>
      <label className="field">
        <span>Body (Markdown)</span>
        <textarea required value={body} onChange={(e) => setBody(e.target.value)} rows={16} maxLength={200_000} className="kb-body" />
      </label>
      <DialogFormActions error={error} busy={save.isPending} submit="Save" busySubmit="Saving…" cancel="Close" onCancel={onCancel}>
        {article ? (
          <button type="button" className="button button-danger-ghost" onClick={() => setConfirming(true)}>
            Delete
          </button>
        ) : null}
      </DialogFormActions>
      {article ? (
        <section className="kb-preview" aria-label="Preview as published">
          <h3>Preview (as last saved)</h3>
          {article.status === 'published' ? (
            <p>
              <a href={article.url} target="_blank" rel="noreferrer">
                Open in the help center
              </a>
            </p>
          ) : null}
          {/* biome-ignore lint/security/noDangerouslySetInnerHtml: the article's HTML as rendered and sanitised by the server (src/kb/render.ts). */}
          <div className="kb-preview-body" dangerouslySetInnerHTML={{ __html: article.html }} />
        </section>
      ) : null}
      <Dialog open={confirming} title="Delete this article?" onClose={() => setConfirming(false)}>
        <p>“{article?.title}” disappears from the help center and the bot stops using it. This cannot be undone.</p>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => setConfirming(false)} autoFocus>
            Keep it
          </button>
          <button type="button" className="button button-danger" onClick={() => (setConfirming(false), remove.mutate())}>
            Delete article
          </button>
        </div>
      </Dialog>
    </form>
  );
}
