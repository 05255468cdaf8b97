// The sample customer site: the element in launcher mode. The avatar is served by this page, so the
// page allows its own origin for images (the avatar follows the image-origins rule).
import '../src/index.js';

const chat = document.querySelector('agent37-chat')!;
chat.setAttribute('image-origins', location.origin);
