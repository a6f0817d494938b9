import { mount } from 'svelte';
import App from './ui/App.svelte';
import './ui/app.css';
import { registerServiceWorker } from './pwa.ts';

mount(App, { target: document.getElementById('app')! });
registerServiceWorker();
