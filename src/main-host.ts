import { mountPhotoCoach, type CoachPhoto, type PhotoSummary } from './embed/host';
import { parseOrigin, isLocale } from './embed/protocol';
import { FORM_STRINGS } from './host-demo/strings';

// The demo listing form. `?coach=http://127.0.0.1:5174` embeds a coach served from another
// origin (as in production); without it the coach comes from this page's own origin.
const params = new URLSearchParams(location.search);
const coachOrigin = parseOrigin(params.get('coach')) ?? location.origin;
const asked = params.get('locale');
const locale = isLocale(asked) ? asked : 'en';

const words = FORM_STRINGS[locale];
localise();

/** The form's static text in the page's locale. */
function localise() {
  document.documentElement.lang = locale;
  document.title = words.pageTitle;
  const text = (selector: string, value: string) => {
    const el = document.querySelector(selector);
    if (el) el.textContent = value;
  };
  text('h1', words.heading);
  text('label[for="title"]', words.title);
  text('label[for="price"]', words.price);
  text('label[for="description"]', words.description);
  text('fieldset.photos legend', words.photos);
  text('button[type="submit"]', words.submit);
  document.querySelector('#attached')?.setAttribute('aria-label', words.attachedLabel);
}

const input = document.querySelector<HTMLInputElement>('#photos')!;
const list = document.querySelector<HTMLOListElement>('#attached')!;
const status = document.querySelector<HTMLElement>('#photo-status')!;
let thumbs: string[] = [];
let held = 0;
let submitted = false;
// Before the listing goes out, the coach shows its note on a weak cover once; a second press
// lists anyway (a nudge, never a block).
let nudged = false;
const events: string[] = [];

/**
 * The form holds what the coach shows, as it changes: every photo that has not failed, in the
 * coach's order (the first is the cover), so a seller who never presses the coach's own button
 * loses nothing.
 */
function hold(photos: (PhotoSummary | CoachPhoto)[]) {
  const kept = photos.filter((p): p is (PhotoSummary & { file: File }) | CoachPhoto => p.file !== null);
  const files = new DataTransfer();
  for (const p of kept) files.items.add(p.file);
  input.files = files.files;
  held = kept.length;

  for (const url of thumbs) URL.revokeObjectURL(url);
  thumbs = kept.map((p) => URL.createObjectURL(p.file));
  list.replaceChildren(
    ...kept.map((p, i) => {
      const li = document.createElement('li');
      li.dataset.testid = 'attached-photo';
      li.dataset.name = p.name;
      li.dataset.score = p.score === null ? '' : String(p.score);
      if (p.cover) li.dataset.cover = '';
      if (p.model) li.dataset.model = p.model;
      if (p.fixes.length) li.dataset.fixes = p.fixes.join(' ');
      const img = document.createElement('img');
      img.src = thumbs[i];
      img.alt = p.name;
      const caption = document.createElement('span');
      caption.textContent = `${i + 1}. ${p.score === null ? words.scoring : `${p.score}/100`}${p.cover ? ` · ${words.cover}` : ''}${p.fixes.length ? ` · ${words.fixed}` : ''}`;
      li.append(img, caption);
      return li;
    }),
  );
  status.textContent = held ? words.attached(held) : '';
}

const coach = mountPhotoCoach(document.querySelector('#photo-coach')!, {
  origin: coachOrigin,
  src: `${coachOrigin}${import.meta.env.BASE_URL}coach.html`,
  locale,
  // the demo keeps the photos' location only when asked (?location=keep), as the SDK does
  keepLocation: params.get('location') === 'keep',
  // ?max-photos=5 and ?max-bytes=… try the SDK's limits in the demo
  limits: { photos: params.has('max-photos') ? Number(params.get('max-photos')) : undefined, bytesPerPhoto: params.has('max-bytes') ? Number(params.get('max-bytes')) : undefined },
  // ?crop-aspect=1.5 tries another crop shape (the default is square)
  cropAspect: params.has('crop-aspect') ? Number(params.get('crop-aspect')) : undefined,
  onChange: hold,
  onConfirm: hold,
  onError: (e) => {
    status.textContent = words.unreachable(e.message);
  },
  // a listing site would log these or act on their codes; the demo keeps them for its tests
  onEvent: (e) => {
    events.push(e.photo ? `${e.code}:${e.photo.error}:${e.photo.name}` : e.code);
    document.body.dataset.coachEvents = JSON.stringify(events);
  },
});

// A reset form starts a fresh listing: the coach empties too.
document.querySelector<HTMLFormElement>('#listing')!.addEventListener('reset', () => {
  nudged = false;
  void coach.reset().catch(() => {});
});

// Photos live only in this page until the listing is submitted: leaving would lose them.
window.addEventListener('beforeunload', (e) => {
  if (held && !submitted) e.preventDefault();
});

document.querySelector<HTMLFormElement>('#listing')!.addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = e.currentTarget as HTMLFormElement;
  const out = document.querySelector<HTMLElement>('#submit-status')!;
  if (!nudged && held) {
    nudged = true;
    if (await coach.showCoverNudge().catch(() => false)) {
      out.textContent = words.coverNudged;
      return;
    }
  }
  const data = new FormData(form);
  const photos = data.getAll('photos').filter((f): f is File => f instanceof File && f.size > 0);
  submitted = true;
  out.dataset.photos = JSON.stringify(photos.map((f) => [f.name, f.size]));
  out.textContent = words.submitted(String(data.get('title')), photos.length);
});

Object.assign(window, { photoCoach: coach });
