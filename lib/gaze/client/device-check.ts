/**
 * Device check before a session starts (issue 5, step 3): a desktop browser with a fine pointer,
 * a camera (listed by enumerateDevices, which needs no permission: labels stay empty until the
 * camera is granted, the kinds are there), the camera API in a secure context, and a window at
 * least the study's minimum. `evaluateDevice` is pure; `probeDevice` reads the browser.
 */

export interface DeviceFacts {
  userAgent: string;
  finePointer: boolean;
  secureContext: boolean;
  hasGetUserMedia: boolean;
  cameras: number;
  window: { width: number; height: number };
}

export interface DeviceVerdict {
  desktop: boolean;
  /** The webcam path can run: secure context, camera API and at least one camera. */
  webcam: boolean;
  windowOk: boolean;
  /** Participant-facing reasons, one line each. */
  problems: string[];
}

const MOBILE_UA = /Android|iPhone|iPad|iPod|Mobile|Silk|Kindle|BlackBerry|Opera Mini|IEMobile/i;

export function evaluateDevice(f: DeviceFacts, minWindow: { width: number; height: number }): DeviceVerdict {
  const problems: string[] = [];
  const desktop = !MOBILE_UA.test(f.userAgent) && f.finePointer;
  if (!desktop) problems.push('This study needs a desktop or laptop computer with a mouse or trackpad; phones and tablets cannot take part.');
  let webcam = true;
  if (!f.secureContext || !f.hasGetUserMedia) {
    webcam = false;
    problems.push('This browser does not allow camera access on this page. Please use a recent Chrome, Edge or Firefox.');
  } else if (f.cameras === 0) {
    webcam = false;
    problems.push('No camera was found. Connect a webcam (and allow this browser to use it), then check again.');
  }
  const windowOk = f.window.width >= minWindow.width && f.window.height >= minWindow.height;
  if (!windowOk) {
    problems.push(
      `Your browser window is ${f.window.width}×${f.window.height} pixels; this study needs at least ${minWindow.width}×${minWindow.height}. ` +
        'Maximise the window or use full screen.',
    );
  }
  return { desktop, webcam, windowOk, problems };
}

export async function probeDevice(): Promise<DeviceFacts> {
  const md = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
  let cameras = 0;
  if (md?.enumerateDevices) {
    const devices = await md.enumerateDevices();
    cameras = devices.filter((d) => d.kind === 'videoinput').length;
  }
  return {
    userAgent: navigator.userAgent,
    finePointer: window.matchMedia('(any-pointer: fine)').matches,
    secureContext: window.isSecureContext,
    hasGetUserMedia: typeof md?.getUserMedia === 'function',
    cameras,
    window: { width: window.innerWidth, height: window.innerHeight },
  };
}

/** Asks for full screen; resolves false when the browser refuses (the study goes on regardless). */
export async function requestFullscreen(): Promise<boolean> {
  if (document.fullscreenElement) return true;
  try {
    await document.documentElement.requestFullscreen({ navigationUI: 'hide' });
    return true;
  } catch {
    // Refused (no user gesture, iframe without allowfullscreen, user setting): reported by the return value.
    return false;
  }
}

export function exitFullscreen(): void {
  if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
}
