import { Component, type ReactNode } from 'react';
import { Failed } from '../ui/states';

// Around a page loaded on demand: if its chunk cannot be fetched (offline, or a new version
// was deployed and the old file is gone) the page says so with a reload, instead of React
// unmounting the whole inbox.

export class LoadBoundary extends Component<{ what: string; children: ReactNode }, { error: unknown }> {
  override state: { error: unknown } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override render() {
    if (this.state.error) return <Failed what={this.props.what} error={this.state.error} retry={() => location.reload()} />;
    return this.props.children;
  }
}
