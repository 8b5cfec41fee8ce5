'use client';
import { AccessTokens } from '@/components/AccessTokens';
import { ChangePassword, DeleteAccount, ExportData, SignOutEverywhere } from '@/components/AccountSettings';
import { useRequiredUser } from '@/lib/session';

export function SettingsPage() {
  const user = useRequiredUser();
  return (
    <>
      <h1>Settings</h1>
      <p className="page-intro settings-email">{user ? `Signed in as ${user.email}.` : '\u00a0'}</p>
      {user && (
        <div className="settings">
          <ChangePassword />
          <SignOutEverywhere />
          <AccessTokens user={user} />
          <ExportData user={user} />
          <DeleteAccount user={user} />
        </div>
      )}
    </>
  );
}
