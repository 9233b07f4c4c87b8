import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { MessageSquare, Pencil, Send, Trash2 } from "lucide-react";
import { ApiError, errorMessage } from "../api/client";
import type { Id, Role } from "../api/types";
import { activityApi, type RowComment } from "../activity/api";
import { formatDateTime, formatRelative } from "../fields/format";
import { initials } from "../shell/Topbar";
import { ConfirmDialog } from "../ui/dialogs";
import { Loading } from "../ui/States";
import { useToast } from "../ui/toast";
import "../activity/feed.css";

const commentsKey = (table: Id, row: Id) => ["comments", table, row] as const;
const RANK: Record<Role, number> = { viewer: 0, commenter: 1, editor: 2, admin: 3, owner: 4 };

function CommentEditor(props: { initial?: string; label: string; submitLabel: string; onSubmit: (body: string) => Promise<void>; onCancel?: () => void }) {
  const [body, setBody] = useState(props.initial ?? "");
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!body.trim() || busy) return;
    setBusy(true);
    try {
      await props.onSubmit(body.trim());
      setBody("");
    } catch {
      // The caller has shown the error; the text stays so nothing typed is lost.
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="comment-form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <textarea
        className="textarea"
        aria-label={props.label}
        placeholder="Write a comment… (Ctrl+Enter to send)"
        value={body}
        rows={2}
        maxLength={10_000}
        autoFocus={props.initial !== undefined}
        onChange={(e) => setBody(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void submit();
          }
          if (e.key === "Escape" && props.onCancel) {
            e.stopPropagation();
            props.onCancel();
          }
        }}
      />
      <div className="row">
        <span className="spacer" />
        {props.onCancel && <button type="button" className="btn btn-sm" onClick={props.onCancel}>Cancel</button>}
        <button className="btn btn-sm btn-primary" disabled={busy || !body.trim()}><Send size={13} /> {props.submitLabel}</button>
      </div>
    </form>
  );
}

/** Comments on a row, oldest first: commenters and above write; authors edit and delete theirs (admins delete any). */
export function RowComments(props: { tableId: Id; rowId: Id; role: Role; meId: Id }) {
  const { tableId, rowId, role, meId } = props;
  const qc = useQueryClient();
  const toast = useToast();
  const [editing, setEditing] = useState<Id | null>(null);
  const [deleting, setDeleting] = useState<RowComment | null>(null);
  const [editUnsupported, setEditUnsupported] = useState(false);
  const key = commentsKey(tableId, rowId);
  const comments = useQuery({ queryKey: key, queryFn: async () => (await activityApi.comments(tableId, rowId)).items });
  const canComment = RANK[role] >= RANK.commenter;
  const isAdmin = RANK[role] >= RANK.admin;
  const refresh = () => qc.invalidateQueries({ queryKey: key });
  const items = comments.data ?? [];

  const add = async (body: string) => {
    try {
      const added = await activityApi.addComment(tableId, rowId, body);
      qc.setQueryData<RowComment[]>(key, (old) => [...(old ?? []), added]);
    } catch (e) {
      toast.error(e);
      throw e;
    }
  };
  const edit = async (c: RowComment, body: string) => {
    try {
      const saved = await activityApi.editComment(tableId, rowId, c.id, body);
      qc.setQueryData<RowComment[]>(key, (old) => (old ?? []).map((x) => (x.id === c.id ? { ...x, ...saved } : x)));
      setEditing(null);
    } catch (e) {
      // The server may not offer editing (PATCH): say so once and stop offering it.
      if (e instanceof ApiError && (e.status === 404 || e.status === 405) && e.code !== "COMMENT_NOT_FOUND") {
        setEditUnsupported(true);
        setEditing(null);
        toast.show("Editing comments is not available on this server; delete and write it again.", "info");
        return;
      }
      toast.error(e);
      throw e;
    }
  };

  return (
    <section className="row-comments" aria-labelledby="row-comments-title">
      <h3 id="row-comments-title" className="row" style={{ gap: 6 }}>
        <MessageSquare size={15} /> Comments {items.length > 0 && <span className="badge">{items.length}</span>}
      </h3>
      {comments.isPending && <Loading />}
      {comments.isError && <p className="small error-text">Could not load the comments: {errorMessage(comments.error)}</p>}
      {comments.data?.length === 0 && <p className="small muted">No comments yet.</p>}
      <ul className="feed">
        {items.map((c) => {
          const mine = c.author.id !== null && c.author.id === meId;
          const who = c.author.name || c.author.email || "Deleted user";
          return (
            <li key={c.id} className="feed-item comment" data-testid="comment">
              <div className="row comment-head">
                <span className="avatar avatar-sm" aria-hidden>{initials(c.author.name ?? "", c.author.email ?? "")}</span>
                <strong className="small truncate">{who}</strong>
                <time className="small faint" dateTime={c.created_at} title={formatDateTime(c.created_at)}>{formatRelative(c.created_at)}</time>
                {c.updated_at && c.updated_at !== c.created_at && <span className="small faint">(edited)</span>}
                <span className="spacer" />
                {mine && !editUnsupported && editing !== c.id && (
                  <button className="btn btn-ghost btn-icon btn-sm" aria-label="Edit comment" title="Edit" onClick={() => setEditing(c.id)}><Pencil size={13} /></button>
                )}
                {(mine || isAdmin) && (
                  <button className="btn btn-ghost btn-icon btn-sm" aria-label="Delete comment" title="Delete" onClick={() => setDeleting(c)}><Trash2 size={13} /></button>
                )}
              </div>
              {editing === c.id ? (
                <CommentEditor initial={c.body} label="Edit comment" submitLabel="Save" onSubmit={(body) => edit(c, body)} onCancel={() => setEditing(null)} />
              ) : (
                <p className="comment-body">{c.body}</p>
              )}
            </li>
          );
        })}
      </ul>
      {canComment ? (
        <CommentEditor label="New comment" submitLabel="Comment" onSubmit={add} />
      ) : (
        <p className="small muted">Viewers can read comments but not write them.</p>
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete this comment?"
          danger
          confirmLabel="Delete comment"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await activityApi.deleteComment(tableId, rowId, deleting.id);
            await refresh();
          }}
        >
          “{deleting.body.length > 140 ? `${deleting.body.slice(0, 140)}…` : deleting.body}” is deleted for everyone.
        </ConfirmDialog>
      )}
    </section>
  );
}
