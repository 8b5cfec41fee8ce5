'use client';
import { AccessTokens } from '@/components/AccessTokens';
import { ChangePassword, DeleteAccount, ExportData, SignOutEverywhere } from '@/components/AccountSettings';
import { BrowserNotificationsToggle } from '@/components/BrowserNotificationsToggle';
import { PreferencesForm } from '@/components/PreferencesForm';
import { WebhookSettings } from '@/components/WebhookSettings';
import { useRequiredUser } from '@/lib/session';

export function SettingsPage() {
  const user = useRequiredUser();
  return (
    <>
      <h1>Settings</h1>
      <p className="page-intro settings-email">{user ? `Signed in as ${user.email}.` : '\u00a0'}</p>
      {user && (
        <div className="settings">
          <PreferencesForm user={user} />
          <BrowserNotificationsToggle />
          <ChangePassword />
          <SignOutEverywhere />
          <AccessTokens user={user} />
          <ExportData user={user} />
          <WebhookSettings user={user} />
          <DeleteAccount user={user} />
        </div>
      )}
    </>
  );
}
