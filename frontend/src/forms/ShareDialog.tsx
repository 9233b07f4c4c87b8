import { useState } from "react";
import { ExternalLink, Link2Off } from "lucide-react";
import { api } from "../api/client";
import type { Id, ShareLink } from "../api/types";
import { CopyButton } from "../shell/TokensPage";
import { Modal } from "../ui/Modal";
import { useToast } from "../ui/toast";

/** The public address on the origin the user is on (the server's TABLEKIT_BASE_URL may differ in dev). */
export function shareUrl(link: ShareLink): string {
  return `${window.location.origin}/s/${encodeURIComponent(link.token)}`;
}

/** Shows a share link with copy/open, and revokes it on request. */
export function ShareDialog(props: { viewId: Id; link: ShareLink; kind: "form" | "read"; onClose: () => void }) {
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const url = shareUrl(props.link);
  const revoke = async () => {
    setBusy(true);
    try {
      await api.del(`/api/v1/views/${props.viewId}/share`);
      toast.success("Link revoked");
      props.onClose();
    } catch (e) {
      toast.error(e);
      setBusy(false);
    }
  };
  return (
    <Modal
      title={props.kind === "form" ? "Share this form" : "Share a read-only link"}
      onClose={props.onClose}
      footer={
        <>
          <button className="btn" onClick={revoke} disabled={busy}><Link2Off size={14} /> Revoke link</button>
          <span className="spacer" />
          <button className="btn btn-primary" onClick={props.onClose}>Done</button>
        </>
      }
    >
      <p className="muted" style={{ marginBottom: 12 }}>
        {props.kind === "form"
          ? "Anyone with the link can fill in the form; they cannot see other rows."
          : "Anyone with the link can see this view's rows and visible fields, without signing in."}
      </p>
      <div className="token-box">
        <span style={{ flex: 1 }} data-testid="share-url">{url}</span>
        <CopyButton text={url} />
      </div>
      <a className="btn btn-sm" style={{ marginTop: 12 }} href={url} target="_blank" rel="noopener noreferrer"><ExternalLink size={14} /> Open</a>
    </Modal>
  );
}
