/**
 * Walking the participant flow in Chromium, shared by the e2e specs and
 * scripts/measure-participant-js.ts: consent → device check → virtual chinrest, up to the camera
 * step. The blind-spot test is answered like a participant would, by pressing Space once the dot
 * has travelled a set distance (here BLIND_SPOT_PX at the default card size, ≈ 55 cm away).
 */
import { expect, type Page } from '@playwright/test';

/** Dot distance at which the walker "sees it vanish" (CSS px): 500 px at 3.78 px/mm → 55 cm. */
export const BLIND_SPOT_PX = 500;

export async function acceptConsent(page: Page): Promise<void> {
  await expect(page.getByTestId('consent-text')).toBeVisible();
  await page.getByTestId('consent-checkbox').check();
  await page.getByTestId('consent-continue').click();
}

export async function passDeviceCheck(page: Page, modality: 'webcam' | 'mouse' = 'webcam'): Promise<void> {
  await expect(page.getByTestId('device-checks')).toBeVisible();
  await page.getByTestId(modality === 'webcam' ? 'device-continue' : 'device-use-mouse').click();
}

export async function doChinrest(page: Page, blindSpotPx = BLIND_SPOT_PX): Promise<void> {
  await expect(page.getByTestId('chinrest-card')).toBeVisible();
  await page.getByTestId('chinrest-card-done').click();
  for (let rep = 0; rep < 5; rep++) {
    await page.getByTestId('blindspot-start').click();
    await page.waitForFunction(
      (px) => Number(document.querySelector<HTMLElement>('[data-testid=blindspot-dot]')?.dataset.distancePx ?? 0) >= px,
      blindSpotPx,
      { polling: 'raf', timeout: 20_000 },
    );
    await page.keyboard.press('Space');
  }
}

/** Consent, device check and chinrest: the page is then at (or loading) the camera step. */
export async function walkToCamera(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await acceptConsent(page);
  await passDeviceCheck(page);
  await doChinrest(page);
}

/** Click-mode calibration of a 9-point study (3 clicks a point), a passing validation, then the trials start. */
export async function calibrateAndValidate(page: Page): Promise<void> {
  await page.getByTestId('calibration-start').click();
  for (let i = 0; i < 27; i++) await page.getByTestId('calibration-point').click();
  const report = page.getByTestId('validation-report');
  await expect(report).toBeVisible({ timeout: 60_000 });
  await expect(report).toHaveAttribute('data-passed', 'true');
  await page.getByTestId('validation-continue').click();
  await page.getByTestId('trials-start').click();
}
