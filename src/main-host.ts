import { mountPhotoCoach, type CoachPhoto } from './embed/host';
import { parseOrigin, isLocale } from './embed/protocol';

// The demo listing form. `?coach=http://127.0.0.1:5174` embeds a coach served from another
// origin (as in production); without it the coach comes from this page's own origin.
const params = new URLSearchParams(location.search);
const coachOrigin = parseOrigin(params.get('coach')) ?? location.origin;
const locale = isLocale(params.get('locale')) ? (params.get('locale') as 'en' | 'ja') : 'en';

const input = document.querySelector<HTMLInputElement>('#photos')!;
const list = document.querySelector<HTMLOListElement>('#attached')!;
const status = document.querySelector<HTMLElement>('#photo-status')!;
let thumbs: string[] = [];

function attach(photos: CoachPhoto[]) {
  const files = new DataTransfer();
  for (const p of photos) files.items.add(p.file);
  input.files = files.files;

  for (const url of thumbs) URL.revokeObjectURL(url);
  thumbs = photos.map((p) => URL.createObjectURL(p.file));
  list.replaceChildren(
    ...photos.map((p, i) => {
      const li = document.createElement('li');
      li.dataset.testid = 'attached-photo';
      li.dataset.name = p.name;
      li.dataset.score = p.score === null ? '' : String(p.score);
      if (p.cover) li.dataset.cover = '';
      const img = document.createElement('img');
      img.src = thumbs[i];
      img.alt = p.name;
      const caption = document.createElement('span');
      caption.textContent = `${i + 1}. ${p.score === null ? 'not scored' : `${p.score}/100`}${p.cover ? ' · cover' : ''}`;
      li.append(img, caption);
      return li;
    }),
  );
  status.textContent = `${photos.length} photo${photos.length === 1 ? '' : 's'} attached.`;
}

const coach = mountPhotoCoach(document.querySelector('#photo-coach')!, {
  origin: coachOrigin,
  src: `${coachOrigin}${import.meta.env.BASE_URL}coach.html`,
  locale,
  onChange: (photos) => {
    if (!input.files?.length) status.textContent = photos.length ? `${photos.length} photo${photos.length === 1 ? '' : 's'} in the coach.` : '';
  },
  onConfirm: attach,
  onError: (e) => {
    status.textContent = `The photo coach could not be reached (${e.message}).`;
  },
});

document.querySelector<HTMLFormElement>('#listing')!.addEventListener('submit', (e) => {
  e.preventDefault();
  const data = new FormData(e.currentTarget as HTMLFormElement);
  const n = data.getAll('photos').filter((f) => f instanceof File && f.size > 0).length;
  document.querySelector('#submit-status')!.textContent = `Demo: would list "${data.get('title')}" with ${n} photo${n === 1 ? '' : 's'}.`;
});

Object.assign(window, { photoCoach: coach });
