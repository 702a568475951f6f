import { Link } from "react-router-dom";

/** The header's way back to the conversation list: an arrow, labelled "Home" where there is room. */
export function BackToHomeLink() {
  return (
    <Link to="/" className="btn btn-ghost btn-sm" aria-label="Back to home">
      <span aria-hidden="true">←</span>
      <span className="hidden sm:inline">Home</span>
    </Link>
  );
}
